#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An analog (non-addressable) RGB strip on three channels of a PCA9685 PWM controller over I2C: the whole strip
/// shows one colour, so ``ledCount`` is 1. ``PCA9685Encoding`` has the registers and the duty arithmetic.
///
/// ```swift
/// let strip = try PCA9685Output(channels: PCA9685Encoding.Channels(red: 0, green: 1, blue: 2))
/// try [LEDColor(red: 255, green: 80, blue: 0)].withUnsafeBufferPointer { try strip.show($0) }
/// ```
///
/// The initialiser sets the chip up (``PCA9685Encoding/initSequence(frequency:)``: sleep, prescaler, wake with
/// register auto-increment, restart, waiting the oscillator's 500 µs start-up). Each frame is then three I2C
/// messages, one per channel: the channel's first register and its four ON/OFF bytes. The chip holds its outputs
/// until told otherwise, so a frame with the same colour as the last one sent is not sent again.
///
/// With a capture file as `path` (see ``I2CDevice``) the file holds the set-up messages after the initialiser and
/// the three channel messages of the latest frame after each sent frame, back to back.
public final class PCA9685Output: LEDOutput {
    /// The Pi's I2C bus on GPIO 2 (SDA) and 3 (SCL).
    public static let defaultPath = "/dev/i2c-1"
    /// The PCA9685's address with A0...A5 unconnected.
    public static let defaultAddress: UInt8 = 0x40
    /// PWM frequency, in hertz: 1 kHz, well above visible flicker and inside the chip's range (about 24...1526 Hz).
    public static let defaultFrequency = 1000.0

    public let name: String
    /// Always 1: one colour for the whole strip.
    public let ledCount = 1
    /// The channels wired to the red, green and blue MOSFETs.
    public let channels: PCA9685Encoding.Channels

    private let device: I2CDevice
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The colour the chip shows, `nil` until a frame went out completely.
    private var shownColor: LEDColor?

    /// Opens the bus, selects the chip and runs its set-up sequence.
    ///
    /// - Parameters:
    ///   - path: The i2c-dev node, or an existing regular file that receives the messages (capture mode).
    ///   - address: The chip's 7-bit I2C address (0x40 plus the A0...A5 jumpers).
    ///   - channels: Which PWM channels drive red, green and blue.
    ///   - frequency: PWM frequency in hertz; the prescaler limits it to about 24...1526 Hz.
    /// - Throws: ``LEDOutputError`` naming `path` when the bus is missing, not i2c-dev or not accessible, when the
    ///   address is taken by a kernel driver, or ``LEDOutputError/writeFailed(path:bus:errno:)`` when the chip
    ///   does not answer; ``LEDOutputError/invalidConfiguration(target:reason:)`` for a frequency that is not
    ///   positive.
    public init(
        path: String = defaultPath, address: UInt8 = defaultAddress, channels: PCA9685Encoding.Channels,
        frequency: Double = defaultFrequency
    ) throws {
        guard frequency.isFinite, frequency > 0 else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "PCA9685 PWM frequency must be positive, got \(frequency) Hz")
        }
        device = try I2CDevice(path: path, address: address)
        self.channels = channels
        name = "PCA9685 at \(I2CDevice.hex(address)) on \(path)"
        buffer = .allocate(capacity: PCA9685Encoding.byteCount())
        buffer.initialize(repeating: 0)
        do {
            try device.beginSequence()
            for step in PCA9685Encoding.initSequence(frequency: frequency) {
                try [step.register, step.value].withUnsafeBytes { try device.write($0) }
                if step.waitMicroseconds > 0 { usleep(UInt32(step.waitMicroseconds)) }
            }
        } catch {
            buffer.deallocate()
            throw error
        }
    }

    deinit {
        buffer.deallocate()
    }

    /// Sets the strip to `colors[0]`, unless the chip already shows that colour.
    ///
    /// Called on the light renderer's thread; does not allocate. An empty frame is ignored; after a failed write
    /// the next frame is sent even if its colour is unchanged.
    /// - Throws: ``LEDOutputError/writeFailed(path:bus:errno:)``.
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        // Indexing and an explicit unwrap rather than `colors.first` and `!=` on optionals: those allocated in
        // debug builds (counted with a malloc counter).
        guard !colors.isEmpty else { return }
        let color = colors[0]
        if let shown = shownColor, shown == color { return }
        shownColor = nil
        let count = PCA9685Encoding.encode(color, channels: channels, into: buffer)
        let bytes = UnsafeRawBufferPointer(buffer)
        try device.beginSequence()
        let length = PCA9685Encoding.channelMessageByteCount
        var start = 0
        while start < count {
            try device.write(UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]))
            start += length
        }
        shownColor = color
    }
}
