#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an LED output could not be set up or could not send a frame.
///
/// Each case names the target (`host:port` for network outputs, the device path for wired ones) and what to
/// check, so the renderer can log it once as is.
public enum LEDOutputError: Error, Equatable, CustomStringConvertible {
    /// The kernel interface a wired output talks through; it decides which setting the error message points to.
    public enum Bus: Sendable, Equatable {
        /// spidev (`/dev/spidevB.C`), for WS2812/SK6812 and APA102/SK9822 strips.
        case spi
        /// i2c-dev (`/dev/i2c-N`), for the PCA9685 PWM controller.
        case i2c
    }

    /// `getaddrinfo` could not turn `host` into an address; `reason` is its message.
    case hostNotResolved(host: String, port: Int, reason: String)
    /// `socket(2)` or a socket option failed; `errno` is the C error number.
    case socketFailed(target: String, errno: Int32)
    /// `sendto(2)` failed for one packet of a frame; `errno` is the C error number.
    case sendFailed(target: String, errno: Int32)
    /// The output was configured with values its protocol cannot carry.
    case invalidConfiguration(target: String, reason: String)
    /// No LED called `name` under `root` (normally /sys/class/leds).
    case onboardLEDNotFound(name: String, root: String)
    /// Opening, reading or writing `path`, a file of a sysfs LED, failed; `errno` is the C error number.
    case onboardLEDFailed(path: String, errno: Int32)
    /// `open(2)` found nothing at `path` (ENOENT, or ENODEV/ENXIO for a node without a driver behind it).
    case deviceMissing(path: String, bus: Bus, errno: Int32)
    /// `open(2)` was refused (EACCES/EPERM): the process lacks the device's group.
    case permissionDenied(path: String, bus: Bus, errno: Int32)
    /// `path` opened, but the bus's ioctl failed with `errno` (ENOTTY): it is some other device, not spidev/i2c-dev.
    case notADevice(path: String, bus: Bus, errno: Int32)
    /// Opening or configuring the device failed for another reason; `operation` says which step.
    case setupFailed(path: String, bus: Bus, operation: String, errno: Int32)
    /// Sending a frame to the device failed; `errno` is the C error number.
    case writeFailed(path: String, bus: Bus, errno: Int32)

    public var description: String {
        switch self {
        case .hostNotResolved(let host, let port, let reason):
            return "cannot resolve LED controller host \"\(host)\" (port \(port)): \(reason); "
                + "check the host name or IP address in the lights settings and that the box is on the same network"
        case .socketFailed(let target, let errno):
            return "cannot open a UDP socket for \(target): \(Self.message(errno)); check the network configuration"
        case .sendFailed(let target, let errno):
            return "cannot send LED frame to \(target): \(Self.message(errno)); "
                + "check that the controller is reachable and the network is up"
        case .invalidConfiguration(let target, let reason):
            return "invalid LED output configuration for \(target): \(reason)"
        case .onboardLEDNotFound(let name, let root):
            return "no LED named \(name) under \(root); on a Raspberry Pi use ACT/PWR (led0/led1 on older kernels), "
                + "and check which names \(root) lists"
        case .onboardLEDFailed(let path, let errno) where errno == EACCES || errno == EPERM:
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? path
            return "cannot write \(path): \(Self.message(errno)); the ravebox user needs write access to \(folder) "
                + "(udev rule)"
        case .onboardLEDFailed(let path, let errno):
            return "cannot use onboard LED file \(path): \(Self.message(errno)); check that the LED still exists"
        case .deviceMissing(let path, let bus, let errno):
            return "\(path) not found (\(Self.message(errno))): \(bus.enableAdvice) and check the device path"
        case .permissionDenied(let path, let bus, let errno):
            return "no permission to open \(path) (\(Self.message(errno))): the ravebox user needs the "
                + "\(bus.groupName) group (udev rules); check the group and the device's owner with ls -l \(path)"
        case .notADevice(let path, let bus, let errno):
            return "\(path) is not \(bus.deviceDescription) (\(Self.message(errno))): check the device path, "
                + "e.g. \(bus.examplePath)"
        case .setupFailed(let path, let bus, let operation, let errno):
            return "cannot \(operation) on \(path): \(Self.message(errno)); \(bus.setupAdvice(errno: errno))"
        case .writeFailed(let path, let bus, let errno):
            return "cannot send LED frame to \(path): \(Self.message(errno)); \(bus.writeAdvice(errno: errno))"
        }
    }

    private static func message(_ errno: Int32) -> String {
        String(cString: strerror(errno)) + " (errno \(errno))"
    }
}

extension LEDOutputError.Bus {
    fileprivate var enableAdvice: String {
        switch self {
        case .spi: "enable SPI with dtparam=spi=on in config.txt (or the ravebox overlay)"
        case .i2c: "enable I2C with dtparam=i2c_arm=on in config.txt (or the ravebox overlay)"
        }
    }

    fileprivate var groupName: String {
        switch self {
        case .spi: "spi"
        case .i2c: "i2c"
        }
    }

    fileprivate var deviceDescription: String {
        switch self {
        case .spi: "an SPI device (spidev)"
        case .i2c: "an I2C bus (i2c-dev)"
        }
    }

    fileprivate var examplePath: String {
        switch self {
        case .spi: "/dev/spidev0.0 for SPI0 with chip select 0"
        case .i2c: "/dev/i2c-1 for the I2C bus on GPIO 2/3"
        }
    }

    fileprivate func setupAdvice(errno: Int32) -> String {
        switch (self, errno) {
        case (.i2c, EBUSY):
            "a kernel driver has claimed that address; remove the PCA9685 dtoverlay or check the address"
        case (.spi, _): "check the device path and that the SPI controller supports mode 0 at this clock"
        case (.i2c, _): "check the device path and the I2C address"
        }
    }

    fileprivate func writeAdvice(errno: Int32) -> String {
        switch (self, errno) {
        case (.spi, EMSGSIZE):
            "the frame is larger than spidev's buffer; check /sys/module/spidev/parameters/bufsiz"
        case (.spi, _): "check that the SPI bus is not in use by another program"
        case (.i2c, EREMOTEIO), (.i2c, ENXIO), (.i2c, EIO):
            "no chip acknowledged; check the wiring, the chip's power and its address (i2cdetect -y 1)"
        case (.i2c, _): "check the wiring and the chip's power"
        }
    }
}
