#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open device node of a wired output (spidev, i2c-dev), or a regular file standing in for one.
///
/// A regular file at the device path is a *capture file*: ``SPIDevice`` and ``I2CDevice`` skip their ioctls and
/// write the bytes they would have sent into it, which is how tests and a person debugging a strip without the
/// hardware see exactly what goes on the wire. The file must exist (it is never created, so a mistyped
/// `/dev/spidev0.0` cannot turn into a regular file in `/dev`) and is emptied when opened.
struct DeviceFile {
    let path: String
    let bus: LEDOutputError.Bus
    let descriptor: Int32
    /// `path` is a regular file, not a device node.
    let isCaptureFile: Bool

    /// Opens `path` with `flags` (`O_CLOEXEC` is added) and checks what it is.
    /// - Throws: ``LEDOutputError/deviceMissing(path:bus:errno:)``,
    ///   ``LEDOutputError/permissionDenied(path:bus:errno:)``, ``LEDOutputError/notADevice(path:bus:errno:)`` for a
    ///   directory, or ``LEDOutputError/setupFailed(path:bus:operation:errno:)``.
    init(path: String, bus: LEDOutputError.Bus, flags: Int32) throws {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            switch error {
            case ENOENT, ENODEV, ENXIO: throw LEDOutputError.deviceMissing(path: path, bus: bus, errno: error)
            case EACCES, EPERM: throw LEDOutputError.permissionDenied(path: path, bus: bus, errno: error)
            case EISDIR: throw LEDOutputError.notADevice(path: path, bus: bus, errno: error)
            default: throw LEDOutputError.setupFailed(path: path, bus: bus, operation: "open", errno: error)
            }
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = errno
            close(descriptor)
            throw LEDOutputError.setupFailed(path: path, bus: bus, operation: "stat", errno: error)
        }
        let isCaptureFile = info.st_mode & S_IFMT == S_IFREG
        if isCaptureFile, ftruncate(descriptor, 0) != 0 {
            let error = errno
            close(descriptor)
            throw LEDOutputError.setupFailed(path: path, bus: bus, operation: "empty the capture file", errno: error)
        }
        self.path = path
        self.bus = bus
        self.descriptor = descriptor
        self.isCaptureFile = isCaptureFile
    }

    /// Writes all of `bytes` at `offset` of the capture file (`pwrite(2)`, resumed after short writes and EINTR).
    /// Does not allocate unless it throws.
    func writeCapture(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard let base = bytes.baseAddress else { return }
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, base + written, bytes.count - written, off_t(offset + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw LEDOutputError.writeFailed(path: path, bus: bus, errno: errno)
            }
            written += result
        }
    }

    /// Cuts the capture file to `length` bytes.
    func truncateCapture(to length: Int) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw LEDOutputError.writeFailed(path: path, bus: bus, errno: errno)
        }
    }

    /// Closes the descriptor; the owner calls this once, from its `deinit`.
    func closeFile() {
        close(descriptor)
    }
}
