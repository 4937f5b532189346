/// An APA102 or SK9822 ("DotStar") strip on SPI: data on MOSI, clock on SCLK, so the timing is the bus's and any
/// clock the wiring carries works (``APA102Encoding`` has the frame layout).
///
/// ```swift
/// let strip = try APA102SPIOutput(path: "/dev/spidev0.0", ledCount: 60, chip: .sk9822)
/// try colors.withUnsafeBufferPointer { try strip.show($0) }
/// ```
///
/// The chips send blue, green, red natively, so the strip's colour order is `bgr` (the renderer reorders; this
/// output sends the wire-ordered colours as they are). Wire MOSI (GPIO 10) to DI and SCLK (GPIO 11) to CI for
/// `/dev/spidev0.0`.
public final class APA102SPIOutput: LEDOutput {
    /// Default SPI clock, in hertz: 8 MHz, fast enough for 1000 LEDs at 60 frames per second (4 bytes per LED).
    /// Lower it when LEDs at the far end of a long strip or cable flicker.
    public static let defaultSpeedHertz = 8_000_000

    public let name: String
    public let ledCount: Int
    /// The chip, which decides the end of the frame.
    public let chip: APA102Encoding.Chip
    /// The 5-bit global brightness (0...31) sent in every LED's header byte.
    public let globalBrightness: UInt8

    private let device: SPIDevice
    private let buffer: UnsafeMutableBufferPointer<UInt8>

    /// Opens and configures the SPI device and allocates the frame buffer; nothing is sent until `show`.
    ///
    /// - Parameters:
    ///   - path: The spidev node, e.g. `/dev/spidev0.0`, or an existing regular file that receives the frames
    ///     (``SPIDevice``'s capture mode).
    ///   - ledCount: LEDs on the strip.
    ///   - chip: ``APA102Encoding/Chip/apa102`` or ``APA102Encoding/Chip/sk9822``.
    ///   - speedHertz: The SPI clock.
    ///   - globalBrightness: The chips' own 5-bit brightness, 0...31. Brightness is better applied to the colours
    ///     (the renderer does); SK9822 dims by lowering its drive current, APA102 with a slow extra PWM that can
    ///     flicker on camera, so 31 is the default.
    /// - Throws: ``LEDOutputError`` naming `path` when the device is missing, not spidev or not accessible, or
    ///   ``LEDOutputError/invalidConfiguration(target:reason:)`` for a count below 1 or a brightness above 31.
    public init(
        path: String, ledCount: Int, chip: APA102Encoding.Chip, speedHertz: Int = defaultSpeedHertz,
        globalBrightness: UInt8 = APA102Encoding.maximumBrightness
    ) throws {
        guard ledCount >= 1, ledCount <= Int(UInt32.max) / APA102Encoding.bytesPerLED - 16 else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "an APA102 strip needs at least one LED, got \(ledCount)")
        }
        guard globalBrightness <= APA102Encoding.maximumBrightness else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "APA102 global brightness is 0...31, got \(globalBrightness)")
        }
        device = try SPIDevice(path: path, speedHertz: speedHertz)
        self.ledCount = ledCount
        self.chip = chip
        self.globalBrightness = globalBrightness
        name = "\(chip == .apa102 ? "APA102" : "SK9822") on \(path)"
        buffer = .allocate(capacity: APA102Encoding.byteCount(ledCount: ledCount, chip: chip))
        buffer.initialize(repeating: 0)
    }

    deinit {
        buffer.deallocate()
    }

    /// Encodes and sends one frame.
    ///
    /// Called on the light renderer's thread; does not allocate. Colours beyond `ledCount` are ignored.
    /// - Throws: ``LEDOutputError/writeFailed(path:bus:errno:)``.
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        let frame = UnsafeBufferPointer(rebasing: colors[0..<min(colors.count, ledCount)])
        let count = APA102Encoding.encode(frame, brightness: globalBrightness, chip: chip, into: buffer)
        try device.write(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<count]))
    }
}
