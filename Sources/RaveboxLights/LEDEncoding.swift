/// Byte encodings for wired LEDs: pure, allocation-free functions that write one frame into a caller-provided buffer.
///
/// Colours arrive wire-ordered: ``LightRenderer`` has already applied the strip's ``ColorOrder``, so an
/// ``LEDColor``'s `red`, `green` and `blue` hold the first, second and third byte to send. The encoders here send
/// them in that order and never reorder. Everything an output needs per frame is sized by the encoder's
/// `byteCount(ledCount:...)`, so the output allocates its buffer once and `show` stays allocation-free.

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

/// PCA9685 16-channel 12-bit PWM controller on I2C, driving an analog (non-addressable) RGB strip through MOSFETs:
/// three channels, one colour for the whole strip.
///
/// Each channel n has four registers at `0x06 + 4·n`: `LEDn_ON_L`, `LEDn_ON_H`, `LEDn_OFF_L`, `LEDn_OFF_H`. The
/// output turns on at count ON and off at count OFF of a 4096-count period; bit 4 of `ON_H` is FULL_ON and bit 4
/// of `OFF_H` is FULL_OFF (which wins if both are set). A channel write is one I2C message: the register address,
/// then the four bytes, which land in consecutive registers only with MODE1's auto-increment bit set (the init
/// sequence sets it).
///
/// Duty is `round(value / 255 · 4095)` on the 12-bit scale the chip actually has. Raveberry (the reference,
/// `backend/core/lights/strip.py`) set `duty_cycle = round(value · 4095)` on adafruit_pca9685, whose `duty_cycle` is
/// 16-bit (0...0xFFFF) and keeps only the top 12 bits (`value >> 4`): its strips topped out at 255/4095, about 1/16
/// of full brightness, with 16 usable steps. Writing the registers directly on the 12-bit scale fixes that, and 255
/// and 0 use the FULL_ON/FULL_OFF bits for a steady on and off.
public enum PCA9685Encoding {
    /// Which PWM channels (0...15) drive the strip's red, green and blue MOSFETs.
    public struct Channels: Sendable, Equatable {
        public var red: Int
        public var green: Int
        public var blue: Int

        public init(red: Int, green: Int, blue: Int) {
            precondition(
                (0..<16).contains(red) && (0..<16).contains(green) && (0..<16).contains(blue),
                "PCA9685 channels are 0...15")
            self.red = red
            self.green = green
            self.blue = blue
        }
    }

    /// One channel's four registers: the I2C message is `register, onLow, onHigh, offLow, offHigh`.
    public struct ChannelWrite: Sendable, Equatable {
        /// `LEDn_ON_L`, the first of the four registers (`0x06 + 4·n`).
        public var register: UInt8
        public var onLow: UInt8
        public var onHigh: UInt8
        public var offLow: UInt8
        public var offHigh: UInt8

        /// The four data bytes, `ON_L, ON_H, OFF_L, OFF_H`.
        public var bytes: (UInt8, UInt8, UInt8, UInt8) { (onLow, onHigh, offLow, offHigh) }
    }

    /// One byte written to one register, for the init sequence.
    public struct RegisterWrite: Sendable, Equatable {
        public var register: UInt8
        public var value: UInt8
        /// Microseconds to wait after this write before the next one.
        public var waitMicroseconds: Int
    }

    /// MODE1 register.
    public static let mode1Register: UInt8 = 0x00
    /// PRE_SCALE register (writable only while MODE1's SLEEP bit is set).
    public static let prescaleRegister: UInt8 = 0xFE
    /// `LED0_ON_L`; channel n starts at `0x06 + 4·n`.
    public static let firstChannelRegister: UInt8 = 0x06
    /// MODE1 bit 7: restart PWM channels after sleep.
    public static let mode1Restart: UInt8 = 0x80
    /// MODE1 bit 5: register auto-increment.
    public static let mode1AutoIncrement: UInt8 = 0x20
    /// MODE1 bit 4: low-power sleep, oscillator off.
    public static let mode1Sleep: UInt8 = 0x10
    /// Bit 4 of `ON_H` (FULL_ON) and of `OFF_H` (FULL_OFF).
    public static let fullBit: UInt8 = 0x10
    /// Internal oscillator, in hertz (datasheet: 25 MHz).
    public static let oscillatorHertz = 25_000_000
    /// Oscillator start-up after leaving sleep, in microseconds (datasheet: 500 µs max).
    public static let oscillatorStartupMicroseconds = 500
    /// PRE_SCALE's valid range (datasheet: minimum 3, i.e. ≈ 1526 Hz; 255 ≈ 24 Hz).
    public static let prescaleRange: ClosedRange<Int> = 3...255
    /// Bytes of one channel's I2C message: register plus four data bytes.
    public static let channelMessageByteCount = 5

    /// First register of `channel` (0...15): `0x06 + 4·channel`.
    public static func register(channel: Int) -> UInt8 {
        UInt8(Int(firstChannelRegister) + 4 * channel)
    }

    /// 12-bit duty for an 8-bit value: `round(value / 255 · 4095)`, 0...4095.
    public static func duty(_ value: UInt8) -> UInt16 {
        // 255 is odd, so the quotient never lands exactly on .5 and adding 127 rounds to nearest.
        UInt16((Int(value) * 4095 + 127) / 255)
    }

    /// The four registers of `channel` for `value`: FULL_ON at 255, FULL_OFF at 0, else ON = 0 and OFF = duty.
    public static func channelWrite(channel: Int, value: UInt8) -> ChannelWrite {
        let register = register(channel: channel)
        switch value {
        case 0: return ChannelWrite(register: register, onLow: 0, onHigh: 0, offLow: 0, offHigh: fullBit)
        case 255: return ChannelWrite(register: register, onLow: 0, onHigh: fullBit, offLow: 0, offHigh: 0)
        default:
            let duty = duty(value)
            return ChannelWrite(
                register: register, onLow: 0, onHigh: 0, offLow: UInt8(truncatingIfNeeded: duty),
                offHigh: UInt8(truncatingIfNeeded: duty >> 8))
        }
    }

    /// The three channel writes for one strip colour, in red, green, blue order.
    public static func writes(
        for color: LEDColor, channels: Channels
    ) -> (red: ChannelWrite, green: ChannelWrite, blue: ChannelWrite) {
        (
            channelWrite(channel: channels.red, value: color.red),
            channelWrite(channel: channels.green, value: color.green),
            channelWrite(channel: channels.blue, value: color.blue)
        )
    }

    /// Bytes of ``encode(_:channels:into:)``'s output: three 5-byte messages.
    public static func byteCount() -> Int {
        3 * channelMessageByteCount
    }

    /// Writes the three channel messages for `color` back to back into `buffer` (red, green, blue; each
    /// `register, ON_L, ON_H, OFF_L, OFF_H`), ready to send as three I2C writes of
    /// ``channelMessageByteCount`` bytes. Does not allocate.
    /// - Returns: The number of bytes written, ``byteCount()``.
    @discardableResult
    public static func encode(
        _ color: LEDColor, channels: Channels, into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        precondition(buffer.count >= byteCount(), "PCA9685 buffer holds \(buffer.count) bytes, needs \(byteCount())")
        let (red, green, blue) = writes(for: color, channels: channels)
        put(red, into: buffer, at: 0)
        put(green, into: buffer, at: channelMessageByteCount)
        put(blue, into: buffer, at: 2 * channelMessageByteCount)
        return byteCount()
    }

    @inline(__always)
    private static func put(_ write: ChannelWrite, into buffer: UnsafeMutableBufferPointer<UInt8>, at index: Int) {
        buffer[index] = write.register
        buffer[index + 1] = write.onLow
        buffer[index + 2] = write.onHigh
        buffer[index + 3] = write.offLow
        buffer[index + 4] = write.offHigh
    }

    /// PRE_SCALE for a PWM frequency: `round(25 MHz / (4096 · f)) − 1`, clamped to ``prescaleRange``
    /// (1 kHz → 5, 200 Hz → 30).
    public static func prescale(frequency: Double) -> UInt8 {
        let value = (Double(oscillatorHertz) / (4096 * frequency)).rounded() - 1
        guard value.isFinite else { return UInt8(prescaleRange.upperBound) }
        let clamped = min(Double(prescaleRange.upperBound), max(Double(prescaleRange.lowerBound), value))
        return UInt8(clamped)
    }

    /// The start-up sequence for a PWM frequency: MODE1 = SLEEP (so PRE_SCALE is writable), PRE_SCALE, MODE1 =
    /// auto-increment (wakes the oscillator; wait 500 µs), MODE1 = RESTART | auto-increment.
    public static func initSequence(frequency: Double) -> [RegisterWrite] {
        [
            RegisterWrite(register: mode1Register, value: mode1Sleep, waitMicroseconds: 0),
            RegisterWrite(register: prescaleRegister, value: prescale(frequency: frequency), waitMicroseconds: 0),
            RegisterWrite(
                register: mode1Register, value: mode1AutoIncrement, waitMicroseconds: oscillatorStartupMicroseconds),
            RegisterWrite(register: mode1Register, value: mode1Restart | mode1AutoIncrement, waitMicroseconds: 0),
        ]
    }
}

/// Splits one frame into spidev transfers: spidev refuses a transfer larger than its buffer (`bufsiz` module
/// parameter, default 4096 bytes, readable at `/sys/module/spidev/parameters/bufsiz`).
public enum SPITransfer {
    /// spidev's default buffer size in bytes.
    public static let defaultMaxTransferSize = 4096
    /// Where the running kernel reports spidev's buffer size.
    public static let bufferSizePath = "/sys/module/spidev/parameters/bufsiz"

    /// Consecutive byte ranges covering `0..<totalBytes`, none longer than `maxTransferSize`. Does not allocate.
    public static func chunks(totalBytes: Int, maxTransferSize: Int = defaultMaxTransferSize) -> Chunks {
        precondition(maxTransferSize > 0, "SPI transfer size must be positive")
        return Chunks(totalBytes: max(0, totalBytes), maxTransferSize: maxTransferSize)
    }

    /// The ranges of ``chunks(totalBytes:maxTransferSize:)``, in order.
    public struct Chunks: Sequence, IteratorProtocol, Sendable {
        public let totalBytes: Int
        public let maxTransferSize: Int
        private var start = 0

        init(totalBytes: Int, maxTransferSize: Int) {
            self.totalBytes = totalBytes
            self.maxTransferSize = maxTransferSize
        }

        public mutating func next() -> Range<Int>? {
            guard start < totalBytes else { return nil }
            let end = Swift.min(start + maxTransferSize, totalBytes)
            defer { start = end }
            return start..<end
        }
    }
}
