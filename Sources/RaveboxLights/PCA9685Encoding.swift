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
