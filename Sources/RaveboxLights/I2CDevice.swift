import CRaveboxSys

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One chip on a Linux i2c-dev bus (`/dev/i2c-N`), written to with plain I2C write messages.
///
/// ```swift
/// let pwm = try I2CDevice(path: "/dev/i2c-1", address: 0x40)
/// let autoIncrement: [UInt8] = [0x00, 0x20]  // register MODE1, value AI
/// try autoIncrement.withUnsafeBytes { try pwm.write($0) }
/// ```
///
/// The address is selected once with `I2C_SLAVE`; after that each ``write(_:)`` is one `write(2)`, which i2c-dev
/// sends as one I2C message: START, address + W, the bytes, STOP.
///
/// **Capture files.** When `path` is a regular file (it must exist; it is never created) no address is selected
/// and the messages are written into the file one after another. ``beginSequence()`` starts over at offset 0 and
/// empties the file, so the file holds exactly the messages written since the last call: the latest frame, or
/// the set-up sequence right after the owner's initialiser. Tests and debugging use this to see the bus traffic.
public final class I2CDevice {
    /// The bus device (or capture file) path.
    public let path: String
    /// The chip's 7-bit address.
    public let address: UInt8
    /// Whether `path` is a regular file that receives the messages instead of a bus.
    public var isCaptureFile: Bool { file.isCaptureFile }

    private let file: DeviceFile
    /// Where the next message goes in a capture file.
    private var captureOffset = 0

    /// Opens the bus and selects `address`.
    ///
    /// - Parameters:
    ///   - path: The i2c-dev node, e.g. `/dev/i2c-1` (GPIO 2/3 on the Pi), or a capture file.
    ///   - address: The chip's 7-bit address, 0x08...0x77 (0x00...0x07 and 0x78...0x7F are reserved).
    /// - Throws: ``LEDOutputError`` naming `path`: ``LEDOutputError/deviceMissing(path:bus:errno:)`` when there is
    ///   no such node (I2C not enabled), ``LEDOutputError/permissionDenied(path:bus:errno:)``,
    ///   ``LEDOutputError/notADevice(path:bus:errno:)`` when it is some other device (such as `/dev/null`), and
    ///   ``LEDOutputError/setupFailed(path:bus:operation:errno:)`` when the address is taken by a kernel driver.
    public init(path: String, address: UInt8) throws {
        guard (0x08...0x77).contains(address) else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "I2C address must be 0x08...0x77, got \(Self.hex(address))")
        }
        let file = try DeviceFile(path: path, bus: .i2c, flags: O_RDWR)
        if !file.isCaptureFile {
            let result = rb_i2c_set_address(file.descriptor, address)
            if result != 0 {
                file.closeFile()
                if result == ENOTTY { throw LEDOutputError.notADevice(path: path, bus: .i2c, errno: result) }
                throw LEDOutputError.setupFailed(
                    path: path, bus: .i2c, operation: "select I2C address \(Self.hex(address))", errno: result)
            }
        }
        self.file = file
        self.path = path
        self.address = address
    }

    deinit {
        file.closeFile()
    }

    /// Starts a new sequence of messages (a frame, or a set-up sequence). On a bus this does nothing; a capture
    /// file is emptied and the next message goes to offset 0.
    ///
    /// Does not allocate unless it throws.
    /// - Throws: ``LEDOutputError/writeFailed(path:bus:errno:)`` when the capture file cannot be emptied.
    public func beginSequence() throws {
        guard file.isCaptureFile else { return }
        captureOffset = 0
        try file.truncateCapture(to: 0)
    }

    /// Sends `message` as one I2C write message to ``address``; to a capture file, appends it to the sequence.
    ///
    /// Does not allocate unless it throws.
    /// - Throws: ``LEDOutputError/writeFailed(path:bus:errno:)``; EREMOTEIO or ENXIO when no chip acknowledged.
    public func write(_ message: UnsafeRawBufferPointer) throws {
        guard let base = message.baseAddress, !message.isEmpty else { return }
        if file.isCaptureFile {
            try file.writeCapture(message, at: captureOffset)
            captureOffset += message.count
            return
        }
        while true {
            let written = systemWrite(file.descriptor, base, message.count)
            if written == message.count { return }
            let error = written < 0 ? errno : EIO
            if error == EINTR { continue }
            throw LEDOutputError.writeFailed(path: path, bus: .i2c, errno: error)
        }
    }

    /// `0x40`-style spelling of an address for messages.
    static func hex(_ address: UInt8) -> String {
        let digits = String(address, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}

/// `write(2)`, out of reach of ``I2CDevice/write(_:)``'s own name.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
