/// A WS2812/WS2812B ("NeoPixel") strip driven from SPI MOSI: each data bit becomes a group of SPI bits whose high
/// time matches the chip's T0H/T1H (``WS2812SPIEncoding``).
///
/// SK6812 RGB LEDs use the same protocol and timing, so they run on this output too (SK6812 RGBW, with a fourth
/// byte per LED, does not). Only MOSI is wired (GPIO 10 for `/dev/spidev0.0`), through a 3.3 V → 5 V level shifter
/// for most strips; SCLK and chip select stay unconnected.
///
/// ```swift
/// let ring = try WS2812SPIOutput(path: "/dev/spidev0.0", ledCount: 16, clock: .mhz2_4)
/// try colors.withUnsafeBufferPointer { try ring.show($0) }
/// ```
///
/// Each frame ends with ``WS2812SPIEncoding/resetByteCount(clock:)`` zero bytes, so MOSI stays low for at least
/// ``WS2812SPIEncoding/resetMicroseconds`` (300 µs) and the strip latches the frame before the next one starts.
///
/// On the Pi the SPI clock is the core clock divided down, so the core clock must not change under it (rpi_ws281x's
/// README): `core_freq=250` in `config.txt` on a Pi 3, `core_freq=500` and `core_freq_min=500` on a Pi 4. Frames
/// longer than spidev's buffer (4096 bytes by default: more than 331 LEDs at 3.2 MHz, 445 at 2.4 MHz) go out in
/// several messages; see ``SPIDevice`` for why `spidev.bufsiz=65536` on the kernel command line suits such strips
/// better.
public final class WS2812SPIOutput: LEDOutput {
    public let name: String
    public let ledCount: Int
    /// The SPI clock the frame is encoded for and sent at.
    public let clock: WS2812SPIEncoding.SPIClock

    private let device: SPIDevice
    private let buffer: UnsafeMutableBufferPointer<UInt8>

    /// Opens and configures the SPI device and allocates the frame buffer; nothing is sent until `show`.
    ///
    /// - Parameters:
    ///   - path: The spidev node, e.g. `/dev/spidev0.0`, or an existing regular file that receives the frames
    ///     (``SPIDevice``'s capture mode).
    ///   - ledCount: LEDs on the strip.
    ///   - clock: The SPI clock: ``WS2812SPIEncoding/SPIClock/mhz2_4`` (9 bytes per LED) keeps the most timing
    ///     margin, ``WS2812SPIEncoding/SPIClock/mhz3_2`` uses 12 bytes per LED.
    /// - Throws: ``LEDOutputError`` naming `path` when the device is missing, not spidev or not accessible, or
    ///   ``LEDOutputError/invalidConfiguration(target:reason:)`` for a count below 1.
    public init(path: String, ledCount: Int, clock: WS2812SPIEncoding.SPIClock) throws {
        guard ledCount >= 1, ledCount <= Int(UInt32.max) / WS2812SPIEncoding.bytesPerLED(clock: clock) else {
            throw LEDOutputError.invalidConfiguration(
                target: path, reason: "a WS2812 strip needs at least one LED, got \(ledCount)")
        }
        device = try SPIDevice(
            path: path, speedHertz: clock.hertz, transferAlignment: WS2812SPIEncoding.bytesPerLED(clock: clock))
        self.ledCount = ledCount
        self.clock = clock
        name = "WS2812 on \(path)"
        let byteCount = WS2812SPIEncoding.byteCount(ledCount: ledCount, clock: clock)
        buffer = .allocate(capacity: byteCount)
        buffer.initialize(repeating: 0)
    }

    deinit {
        buffer.deallocate()
    }

    /// Encodes and sends one frame, latch included.
    ///
    /// Called on the light renderer's thread; does not allocate. Colours beyond `ledCount` are ignored.
    /// - Throws: ``LEDOutputError/writeFailed(path:bus:errno:)``.
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        let frame = UnsafeBufferPointer(rebasing: colors[0..<min(colors.count, ledCount)])
        let count = WS2812SPIEncoding.encode(frame, clock: clock, into: buffer)
        try device.write(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<count]))
    }
}
