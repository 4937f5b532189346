/// APA102 / SK9822 (clocked "DotStar" LEDs) over SPI.
///
/// Frame: a start frame of 4 zero bytes; per LED one header byte `0xE0 | brightness` (5-bit global brightness,
/// 0...31) and the three colour bytes; then the end frame, which only supplies the extra clock edges the data needs
/// to ripple through the strip (each LED delays the data by half a clock): ⌈n/16⌉ bytes = n/2 bits.
///
/// The chips' native colour order is blue, green, red, so an APA102/SK9822 strip's ``ColorOrder`` setting should be
/// ``ColorOrder/bgr``; this encoder sends `red, green, blue` of the wire-ordered colour and does not reorder.
///
/// SK9822 differs in when it latches: it shows the data of a frame only after the next zero start frame, so it
/// needs an extra 4-byte zero reset frame after the LED data (Tim's analysis:
/// https://cpldcpu.wordpress.com/2016/12/13/sk9822-a-clone-of-the-apa102/).
/// Its end frame is zero bytes too: unlike `0xFF`, a zero byte can never be read as an LED header by LEDs past `n`.
public enum APA102Encoding {
    /// Which chip the strip carries.
    public enum Chip: Sendable, CaseIterable {
        /// APA102: end frame of `0xFF` bytes.
        case apa102
        /// SK9822: 4 zero bytes of reset frame, then an end frame of zero bytes.
        case sk9822
    }

    /// Bytes of the start frame (32 zero bits).
    public static let startFrameByteCount = 4
    /// Bytes of the SK9822's extra reset frame (32 zero bits).
    public static let resetFrameByteCount = 4
    /// Bytes per LED: header plus three colour bytes.
    public static let bytesPerLED = 4
    /// Highest global brightness (5 bits).
    public static let maximumBrightness: UInt8 = 31

    /// End frame bytes for `ledCount` LEDs: ⌈n/16⌉ (n/2 clock edges, 8 per byte).
    public static func endFrameByteCount(ledCount: Int) -> Int {
        (ledCount + 15) / 16
    }

    /// Bytes of one whole frame for `ledCount` LEDs.
    public static func byteCount(ledCount: Int, chip: Chip) -> Int {
        let reset = chip == .sk9822 ? resetFrameByteCount : 0
        return startFrameByteCount + ledCount * bytesPerLED + reset + endFrameByteCount(ledCount: ledCount)
    }

    /// Encodes one frame of `colors` (wire-ordered) into `buffer`.
    ///
    /// Does not allocate. `brightness` above 31 is clamped to 31. `buffer` must hold at least
    /// ``byteCount(ledCount:chip:)`` bytes.
    /// - Returns: The number of bytes written.
    @discardableResult
    public static func encode(
        _ colors: UnsafeBufferPointer<LEDColor>, brightness: UInt8 = maximumBrightness, chip: Chip,
        into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        let total = byteCount(ledCount: colors.count, chip: chip)
        precondition(buffer.count >= total, "APA102 buffer holds \(buffer.count) bytes, frame needs \(total)")
        let header = 0xE0 | min(brightness, maximumBrightness)
        var index = 0
        for _ in 0..<startFrameByteCount {
            buffer[index] = 0
            index += 1
        }
        for color in colors {
            buffer[index] = header
            buffer[index + 1] = color.red
            buffer[index + 2] = color.green
            buffer[index + 3] = color.blue
            index += bytesPerLED
        }
        if chip == .sk9822 {
            for _ in 0..<resetFrameByteCount {
                buffer[index] = 0
                index += 1
            }
        }
        let endByte: UInt8 = chip == .apa102 ? 0xFF : 0x00
        while index < total {
            buffer[index] = endByte
            index += 1
        }
        return total
    }
}
