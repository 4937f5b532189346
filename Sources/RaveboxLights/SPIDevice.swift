import CRaveboxSys

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Linux spidev device (`/dev/spidevB.C`) configured for LED strips: SPI mode 0, 8 bits per word, MSB first, at
/// a fixed clock.
///
/// ```swift
/// let spi = try SPIDevice(path: "/dev/spidev0.0", speedHertz: 2_400_000)
/// try frame.withUnsafeBytes { try spi.write($0) }
/// ```
///
/// spidev copies every message through a bounce buffer of `bufsiz` bytes (module parameter, default 4096), and the
/// limit is on the whole message, not on each of its transfers (`spidev_message` in `drivers/spi/spidev.c` adds
/// the transfers up and fails with EMSGSIZE past it). A frame that fits goes out as one `SPI_IOC_MESSAGE`; a larger
/// one as consecutive messages of at most ``maxTransferSize`` bytes
/// (``SPITransfer/chunks(totalBytes:maxTransferSize:)``). Between two messages the clock stops for the system
/// call's round trip, usually tens of µs, with MOSI holding its last bit: harmless for APA102; for WS2812 the
/// output passes its bytes per LED as `transferAlignment`, so every pause falls after an LED, where the line is
/// low, and only stretches a low phase. A round trip slower than the strip's latch time (WS2812B: 280 µs) would
/// still show the frame early, so long WS2812 strips want a buffer that holds the whole frame:
/// `spidev.bufsiz=65536` on the kernel command line (`cmdline.txt`).
///
/// **Capture files.** When `path` is a regular file (it must exist; it is never created) nothing is configured and
/// each ``write(_:)`` stores the whole frame at offset 0 with `pwrite(2)`, so the file always holds exactly the
/// latest frame's bytes. Tests and debugging use this to see what would go on the wire.
public final class SPIDevice {
    /// SPI mode 0 (CPOL 0, CPHA 0): the clock idles low and data is sampled on its rising edge, as APA102 expects.
    static let mode: UInt8 = 0
    static let bitsPerWord: UInt8 = 8
    /// Largest transfer spidev accepts in one message when its `bufsiz` cannot be read (the driver's default).
    public static let defaultMaxTransferSize = SPITransfer.defaultMaxTransferSize

    /// The device (or capture file) path.
    public let path: String
    /// The SPI clock, in hertz.
    public let speedHertz: Int
    /// Most bytes sent in one `SPI_IOC_MESSAGE`: spidev's `bufsiz`, rounded down to a multiple of 128 and then of
    /// the transfer alignment.
    public let maxTransferSize: Int
    /// Whether `path` is a regular file that receives the frames instead of a bus.
    public var isCaptureFile: Bool { file.isCaptureFile }

    private let file: DeviceFile

    /// Opens and configures the device.
    ///
    /// - Parameters:
    ///   - path: The spidev node, e.g. `/dev/spidev0.0` (SPI0, chip select 0), or a capture file.
    ///   - speedHertz: The SPI clock. The Pi derives it from the core clock with an even divider, so the real rate
    ///     can be a little lower.
    ///   - transferAlignment: Messages of a split frame are a multiple of this many bytes long, so they break
    ///     only between the protocol's units (an LED for WS2812).
    ///   - bufferSizePath: Where to read spidev's `bufsiz`; ``defaultMaxTransferSize`` when it cannot be read.
    /// - Throws: ``LEDOutputError`` naming `path`: ``LEDOutputError/deviceMissing(path:bus:errno:)`` when there is
    ///   no such node (SPI not enabled), ``LEDOutputError/permissionDenied(path:bus:errno:)``,
    ///   ``LEDOutputError/notADevice(path:bus:errno:)`` when it is some other device (such as `/dev/null`), and
    ///   ``LEDOutputError/setupFailed(path:bus:operation:errno:)`` when spidev refuses the settings.
    public init(
        path: String, speedHertz: Int, transferAlignment: Int = 1, bufferSizePath: String = SPITransfer.bufferSizePath
    ) throws {
        guard speedHertz > 0, speedHertz <= Int(UInt32.max) else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "SPI clock must be 1...\(UInt32.max) Hz, got \(speedHertz)")
        }
        guard (1...128).contains(transferAlignment) else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "SPI transfer alignment must be 1...128 bytes, got \(transferAlignment)")
        }
        let file = try DeviceFile(path: path, bus: .spi, flags: O_WRONLY)
        if !file.isCaptureFile {
            let result = rb_spi_configure(file.descriptor, Self.mode, Self.bitsPerWord, UInt32(speedHertz))
            if result != 0 {
                file.closeFile()
                if result == ENOTTY { throw LEDOutputError.notADevice(path: path, bus: .spi, errno: result) }
                throw LEDOutputError.setupFailed(
                    path: path, bus: .spi, operation: "set SPI mode 0, 8 bits per word, \(speedHertz) Hz",
                    errno: result)
            }
        }
        self.file = file
        self.path = path
        self.speedHertz = speedHertz
        maxTransferSize = Self.maxTransferSize(readingFrom: bufferSizePath, alignment: transferAlignment)
    }

    deinit {
        file.closeFile()
    }

    /// Sends one frame: one `SPI_IOC_MESSAGE` per ``maxTransferSize`` bytes, or one `pwrite` to a capture file.
    ///
    /// Called on the light renderer's thread; does not allocate unless it throws.
    /// - Throws: ``LEDOutputError/writeFailed(path:bus:errno:)``.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if file.isCaptureFile {
            try file.writeCapture(bytes, at: 0)
            return
        }
        for range in SPITransfer.chunks(totalBytes: bytes.count, maxTransferSize: maxTransferSize) {
            let result = rb_spi_transfer(
                file.descriptor, base + range.lowerBound, UInt32(range.count), UInt32(speedHertz))
            guard result == 0 else { throw LEDOutputError.writeFailed(path: path, bus: .spi, errno: result) }
        }
    }

    /// spidev's transfer limit from its `bufsiz` parameter file (a decimal number, ``defaultMaxTransferSize`` when
    /// the file is missing or does not hold a positive number), rounded down to a multiple of 128 bytes and then to
    /// a multiple of `alignment` (1...128).
    ///
    /// spidev counts each transfer rounded up to the kernel's DMA alignment (at most 128 bytes on the Pi's ARM
    /// cores), so a limit that is a multiple of 128 can never be pushed over `bufsiz` by that rounding, and a
    /// smaller one rounds up to at most that multiple.
    static func maxTransferSize(readingFrom path: String, alignment: Int = 1) -> Int {
        var limit = defaultMaxTransferSize
        if let text = readSmallFile(path), let value = Int(text.filter { !$0.isWhitespace }), value > 0 {
            limit = value
        }
        if limit >= 128 { limit = limit / 128 * 128 }
        return limit >= alignment ? limit / alignment * alignment : limit
    }

    /// The first 63 bytes of a small text file such as a sysfs parameter, or `nil`.
    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = read(descriptor, &bytes, bytes.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: bytes[0..<count], as: UTF8.self)
    }
}
