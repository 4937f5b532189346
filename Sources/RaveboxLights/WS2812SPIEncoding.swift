// Byte encodings for wired LEDs: pure, allocation-free functions that write one frame into a caller-provided buffer.
//
// Colours arrive wire-ordered: ``LightRenderer`` has already applied the strip's ``ColorOrder``, so an
// ``LEDColor``'s `red`, `green` and `blue` hold the first, second and third byte to send. The encoders here send
// them in that order and never reorder. Everything an output needs per frame is sized by the encoder's
// `byteCount(ledCount:...)`, so the output allocates its buffer once and `show` stays allocation-free.

/// WS2812B / SK6812 driven by SPI MOSI: every data bit becomes a fixed group of SPI bits whose high time is the
/// WS2812's T0H or T1H.
///
/// Usage:
/// ```swift
/// var buffer = [UInt8](repeating: 0, count: WS2812SPIEncoding.byteCount(ledCount: 144, clock: .mhz3_2))
/// buffer.withUnsafeMutableBufferPointer { WS2812SPIEncoding.encode(colors, clock: .mhz3_2, into: $0) }
/// ```
///
/// Timing against the WS2812B datasheet (T0H 0.4 µs ± 150 ns, T1H 0.8 µs ± 150 ns, bit 1.25 µs ± 600 ns):
/// - 3.2 MHz, 4 SPI bits per data bit (1 → `1110`, 0 → `1000`): one SPI bit is 312.5 ns, so T0H = 312.5 ns
///   (window 250...550 ns), T1H = 937.5 ns (window 650...950 ns), bit = 1.25 µs. 12 bytes per LED.
/// - 2.4 MHz, 3 SPI bits per data bit (1 → `110`, 0 → `100`): one SPI bit is 416.7 ns, so T0H = 416.7 ns,
///   T1H = 833.3 ns, bit = 1.25 µs. Both sit nearer the nominal values; 9 bytes per LED.
///
/// The Pi's SPI clock is the core clock divided by an even divider, so the real rate can be a little off the asked
/// one; both choices keep some margin, 2.4 MHz the most.
///
/// Bytes go MSB first (spidev's default, `SPI_LSB_FIRST` off). The frame ends with ``resetMicroseconds`` of zero
/// bytes, which holds MOSI low long enough for the strip to latch.
public enum WS2812SPIEncoding {
    /// The SPI clock the frame is encoded for; it fixes how many SPI bits stand for one data bit.
    public enum SPIClock: Sendable, CaseIterable {
        /// 3.2 MHz: 4 SPI bits per data bit.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        // The underscore stands for the decimal point; `mhz32` would read as 32 MHz.
        case mhz3_2
        /// 2.4 MHz: 3 SPI bits per data bit.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case mhz2_4

        /// The SPI clock rate to configure on spidev (`SPI_IOC_WR_MAX_SPEED_HZ`), in hertz.
        public var hertz: Int {
            switch self {
            case .mhz3_2: 3_200_000
            case .mhz2_4: 2_400_000
            }
        }

        /// SPI bits sent for one WS2812 data bit.
        public var spiBitsPerDataBit: Int {
            switch self {
            case .mhz3_2: 4
            case .mhz2_4: 3
            }
        }

        /// The SPI bit pattern for a data bit 1, in the low ``spiBitsPerDataBit`` bits (`1110` / `110`).
        public var onePattern: UInt32 {
            switch self {
            case .mhz3_2: 0b1110
            case .mhz2_4: 0b110
            }
        }

        /// The SPI bit pattern for a data bit 0, in the low ``spiBitsPerDataBit`` bits (`1000` / `100`).
        public var zeroPattern: UInt32 {
            switch self {
            case .mhz3_2: 0b1000
            case .mhz2_4: 0b100
            }
        }
    }

    /// Reset (latch) time appended after the data: WS2812B rev. 5 needs ≥ 280 µs low; 300 µs gives margin and
    /// also covers SK6812 (≥ 80 µs).
    public static let resetMicroseconds = 300

    /// SPI bytes for one LED: 24 data bits × ``SPIClock/spiBitsPerDataBit`` SPI bits (12 at 3.2 MHz, 9 at 2.4 MHz).
    public static func bytesPerLED(clock: SPIClock) -> Int {
        3 * clock.spiBitsPerDataBit
    }

    /// Zero bytes that keep MOSI low for at least ``resetMicroseconds`` at `clock`: 120 at 3.2 MHz, 90 at 2.4 MHz.
    public static func resetByteCount(clock: SPIClock) -> Int {
        let bits = clock.hertz * resetMicroseconds / 1_000_000
        return (bits + 7) / 8
    }

    /// Bytes of one whole frame for `ledCount` LEDs, latch included.
    public static func byteCount(ledCount: Int, clock: SPIClock) -> Int {
        ledCount * bytesPerLED(clock: clock) + resetByteCount(clock: clock)
    }

    /// Encodes `colors` (wire-ordered) followed by the reset bytes into `buffer`.
    ///
    /// Does not allocate. `buffer` must hold at least ``byteCount(ledCount:clock:)`` bytes; bytes past that are
    /// left alone.
    /// - Returns: The number of bytes written, ``byteCount(ledCount:clock:)``.
    @discardableResult
    public static func encode(
        _ colors: UnsafeBufferPointer<LEDColor>, clock: SPIClock, into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        let total = byteCount(ledCount: colors.count, clock: clock)
        precondition(buffer.count >= total, "WS2812 SPI buffer holds \(buffer.count) bytes, frame needs \(total)")
        var index = 0
        for color in colors {
            write(color.red, clock: clock, into: buffer, at: &index)
            write(color.green, clock: clock, into: buffer, at: &index)
            write(color.blue, clock: clock, into: buffer, at: &index)
        }
        while index < total {
            buffer[index] = 0
            index += 1
        }
        return total
    }

    /// Writes one data byte as `spiBitsPerDataBit` SPI bytes (8 data bits × N SPI bits = N bytes), MSB first.
    @inline(__always)
    private static func write(
        _ byte: UInt8, clock: SPIClock, into buffer: UnsafeMutableBufferPointer<UInt8>, at index: inout Int
    ) {
        let width = clock.spiBitsPerDataBit
        let one = clock.onePattern
        let zero = clock.zeroPattern
        var bits: UInt32 = 0
        for bit in stride(from: 7, through: 0, by: -1) {
            bits = (bits << UInt32(width)) | ((byte >> UInt8(bit)) & 1 == 1 ? one : zero)
        }
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            buffer[index] = UInt8(truncatingIfNeeded: bits >> UInt32(shift))
            index += 1
        }
    }
}
