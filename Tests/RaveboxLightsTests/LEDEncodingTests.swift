import Testing

@testable import RaveboxLights

/// A few colours with every bit position set and clear somewhere, wire-ordered.
private let sampleColors: [LEDColor] = [
    LEDColor(red: 0x00, green: 0xFF, blue: 0x80),
    LEDColor(red: 0x01, green: 0x7E, blue: 0xA5),
    LEDColor(red: 0x5A, green: 0xC3, blue: 0x3C),
]

/// Encodes `colors` with `body` into a buffer of `count` bytes pre-filled with 0xAA, so untouched bytes show up.
private func encoded(
    count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int
) -> (bytes: [UInt8], written: Int) {
    var bytes = [UInt8](repeating: 0xAA, count: count)
    let written = bytes.withUnsafeMutableBufferPointer { body($0) }
    return (bytes, written)
}

/// Reads WS2812 SPI bytes back into data bytes: each group of N SPI bits must be exactly the one- or zero-pattern.
private func decodeWS2812(_ bytes: ArraySlice<UInt8>, clock: WS2812SPIEncoding.SPIClock) -> [UInt8]? {
    let width = clock.spiBitsPerDataBit
    let bits = bytes.flatMap { byte in (0..<8).map { (byte >> (7 - $0)) & 1 } }
    guard bits.count % (width * 8) == 0 else { return nil }
    var data: [UInt8] = []
    for byteStart in stride(from: 0, to: bits.count, by: width * 8) {
        var value: UInt8 = 0
        for bit in 0..<8 {
            let start = byteStart + bit * width
            let group = bits[start..<start + width].reduce(UInt32(0)) { ($0 << 1) | UInt32($1) }
            switch group {
            case clock.onePattern: value = (value << 1) | 1
            case clock.zeroPattern: value <<= 1
            default: return nil
            }
        }
        data.append(value)
    }
    return data
}

@Suite("WS2812 over SPI")
struct WS2812SPIEncodingTests {
    @Test(arguments: WS2812SPIEncoding.SPIClock.allCases)
    func bitsDecodeBackToTheColorsInWireOrder(clock: WS2812SPIEncoding.SPIClock) throws {
        let count = WS2812SPIEncoding.byteCount(ledCount: sampleColors.count, clock: clock)
        let (bytes, written) = encoded(count: count + 5) { buffer in
            sampleColors.withUnsafeBufferPointer { WS2812SPIEncoding.encode($0, clock: clock, into: buffer) }
        }
        #expect(written == count)
        let dataBytes = sampleColors.count * WS2812SPIEncoding.bytesPerLED(clock: clock)
        let decoded = try #require(decodeWS2812(bytes[0..<dataBytes], clock: clock))
        #expect(decoded == sampleColors.flatMap { [$0.red, $0.green, $0.blue] })
        #expect(bytes[dataBytes..<count].allSatisfy { $0 == 0 })
        #expect(bytes[count...].allSatisfy { $0 == 0xAA })
    }

    @Test func fullOnByteIsMSBFirstPatterns() {
        let four = encoded(count: 12 + 120) { buffer in
            [LEDColor(red: 0xFF, green: 0x00, blue: 0x80)].withUnsafeBufferPointer {
                WS2812SPIEncoding.encode($0, clock: .mhz3_2, into: buffer)
            }
        }.bytes
        #expect(Array(four[0..<12]) == [0xEE, 0xEE, 0xEE, 0xEE, 0x88, 0x88, 0x88, 0x88, 0xE8, 0x88, 0x88, 0x88])
        let three = encoded(count: 9 + 90) { buffer in
            [LEDColor(red: 0xFF, green: 0x00, blue: 0x80)].withUnsafeBufferPointer {
                WS2812SPIEncoding.encode($0, clock: .mhz2_4, into: buffer)
            }
        }.bytes
        // 110 ×8 = 110110110110110110110110; 100 ×8 = 100100100100100100100100; 110 then 100 ×7.
        #expect(Array(three[0..<9]) == [0xDB, 0x6D, 0xB6, 0x92, 0x49, 0x24, 0xD2, 0x49, 0x24])
    }

    @Test func byteCountsIncludeThe300MicrosecondLatch() {
        #expect(WS2812SPIEncoding.resetByteCount(clock: .mhz3_2) == 120)  // 960 bits at 312.5 ns
        #expect(WS2812SPIEncoding.resetByteCount(clock: .mhz2_4) == 90)  // 720 bits at 416.7 ns
        #expect(WS2812SPIEncoding.byteCount(ledCount: 0, clock: .mhz3_2) == 120)
        #expect(WS2812SPIEncoding.byteCount(ledCount: 1, clock: .mhz3_2) == 132)
        #expect(WS2812SPIEncoding.byteCount(ledCount: 144, clock: .mhz3_2) == 144 * 12 + 120)
        #expect(WS2812SPIEncoding.byteCount(ledCount: 144, clock: .mhz2_4) == 144 * 9 + 90)
    }

    @Test(arguments: WS2812SPIEncoding.SPIClock.allCases)
    func highTimesAreWithinDatasheetTolerance(clock: WS2812SPIEncoding.SPIClock) {
        let spiBitNanoseconds = 1e9 / Double(clock.hertz)
        let t0h = Double(clock.zeroPattern.nonzeroBitCount) * spiBitNanoseconds
        let t1h = Double(clock.onePattern.nonzeroBitCount) * spiBitNanoseconds
        #expect(abs(t0h - 400) <= 150)
        #expect(abs(t1h - 800) <= 150)
        #expect(abs(Double(clock.spiBitsPerDataBit) * spiBitNanoseconds - 1250) < 1)
        let latchBits = WS2812SPIEncoding.resetByteCount(clock: clock) * 8
        #expect(Double(latchBits) * spiBitNanoseconds >= 300_000)
    }
}

@Suite("APA102 and SK9822")
struct APA102EncodingTests {
    @Test(arguments: [1, 16, 17, 144])
    func endFrameIsOneByteForEverySixteenLEDs(ledCount: Int) {
        let expected = (ledCount + 15) / 16
        #expect(APA102Encoding.endFrameByteCount(ledCount: ledCount) == expected)
        #expect(APA102Encoding.byteCount(ledCount: ledCount, chip: .apa102) == 4 + 4 * ledCount + expected)
        #expect(APA102Encoding.byteCount(ledCount: ledCount, chip: .sk9822) == 4 + 4 * ledCount + 4 + expected)
        let colors = (0..<ledCount).map { LEDColor(red: UInt8($0 % 256), green: 0x12, blue: 0xFE) }
        for chip in APA102Encoding.Chip.allCases {
            let count = APA102Encoding.byteCount(ledCount: ledCount, chip: chip)
            let (bytes, written) = encoded(count: count) { buffer in
                colors.withUnsafeBufferPointer { APA102Encoding.encode($0, brightness: 7, chip: chip, into: buffer) }
            }
            #expect(written == count)
            let endStart = count - expected
            #expect(bytes[endStart...].allSatisfy { $0 == (chip == .apa102 ? 0xFF : 0x00) })
        }
    }

    @Test(arguments: APA102Encoding.Chip.allCases)
    func framesAreStartLEDsResetAndEnd(chip: APA102Encoding.Chip) {
        let count = APA102Encoding.byteCount(ledCount: sampleColors.count, chip: chip)
        let (bytes, _) = encoded(count: count + 3) { buffer in
            sampleColors.withUnsafeBufferPointer {
                APA102Encoding.encode($0, brightness: 0b10101, chip: chip, into: buffer)
            }
        }
        var expected: [UInt8] = [0, 0, 0, 0]
        for color in sampleColors { expected += [0xF5, color.red, color.green, color.blue] }
        if chip == .sk9822 { expected += [0, 0, 0, 0] }
        expected += [chip == .apa102 ? 0xFF : 0x00]
        expected += [0xAA, 0xAA, 0xAA]
        #expect(bytes == expected)
    }

    @Test(arguments: [(UInt8(0), UInt8(0xE0)), (1, 0xE1), (31, 0xFF), (32, 0xFF), (255, 0xFF)])
    func headerCarriesFiveBitBrightness(brightness: UInt8, header: UInt8) {
        let (bytes, _) = encoded(count: APA102Encoding.byteCount(ledCount: 1, chip: .apa102)) { buffer in
            [LEDColor.black].withUnsafeBufferPointer {
                APA102Encoding.encode($0, brightness: brightness, chip: .apa102, into: buffer)
            }
        }
        #expect(bytes[4] == header)
    }
}

@Suite("PCA9685")
struct PCA9685EncodingTests {
    @Test(arguments: [(UInt8(0), UInt16(0)), (1, 16), (128, 2056), (254, 4079), (255, 4095)])
    func dutyIsRoundedOnTheTwelveBitScale(value: UInt8, duty: UInt16) {
        #expect(PCA9685Encoding.duty(value) == duty)
    }

    @Test func everyDutyMatchesFloatingPointRounding() {
        for value in 0...255 {
            let exact = (Double(value) / 255 * 4095).rounded()
            #expect(PCA9685Encoding.duty(UInt8(value)) == UInt16(exact))
        }
    }

    @Test func channelRegistersUseFullOnAndFullOffAtTheEnds() {
        let off = PCA9685Encoding.channelWrite(channel: 0, value: 0)
        #expect(off.register == 0x06)
        #expect(off.onHigh & 0x10 == 0 && off.offHigh == 0x10)
        #expect([off.onLow, off.onHigh, off.offLow, off.offHigh] == [0, 0, 0, 0x10])

        let on = PCA9685Encoding.channelWrite(channel: 15, value: 255)
        #expect(on.register == 0x06 + 4 * 15)
        #expect([on.onLow, on.onHigh, on.offLow, on.offHigh] == [0, 0x10, 0, 0])

        let half = PCA9685Encoding.channelWrite(channel: 3, value: 128)
        #expect(half.register == 0x12)
        #expect([half.onLow, half.onHigh, half.offLow, half.offHigh] == [0, 0, 0x08, 0x08])  // 2056 = 0x808

        let one = PCA9685Encoding.channelWrite(channel: 1, value: 1)
        #expect([one.onLow, one.onHigh, one.offLow, one.offHigh] == [0, 0, 16, 0])
        let almost = PCA9685Encoding.channelWrite(channel: 1, value: 254)
        #expect([almost.onLow, almost.onHigh, almost.offLow, almost.offHigh] == [0, 0, 0xEF, 0x0F])  // 4079
    }

    @Test func stripColorBecomesThreeChannelMessages() {
        let channels = PCA9685Encoding.Channels(red: 4, green: 5, blue: 0)
        let color = LEDColor(red: 255, green: 128, blue: 0)
        let (bytes, written) = encoded(count: 16) { buffer in
            PCA9685Encoding.encode(color, channels: channels, into: buffer)
        }
        #expect(written == 15)
        #expect(
            bytes == [
                0x16, 0, 0x10, 0, 0,  // red on channel 4: FULL_ON
                0x1A, 0, 0, 0x08, 0x08,  // green on channel 5: 2056
                0x06, 0, 0, 0, 0x10,  // blue on channel 0: FULL_OFF
                0xAA,
            ])
        let writes = PCA9685Encoding.writes(for: color, channels: channels)
        #expect(writes.green == PCA9685Encoding.channelWrite(channel: 5, value: 128))
    }

    @Test(arguments: [(1000.0, UInt8(5)), (200.0, 30), (24.0, 253), (1526.0, 3), (5000.0, 3), (1.0, 255)])
    func prescaleFollowsTheDatasheetFormula(frequency: Double, prescale: UInt8) {
        #expect(PCA9685Encoding.prescale(frequency: frequency) == prescale)
    }

    @Test func initSleepsSetsPrescaleThenRestartsWithAutoIncrement() {
        let steps = PCA9685Encoding.initSequence(frequency: 1000)
        #expect(steps.map(\.register) == [0x00, 0xFE, 0x00, 0x00])
        #expect(steps.map(\.value) == [0x10, 5, 0x20, 0xA0])
        #expect(steps[2].waitMicroseconds >= 500)
    }
}

@Suite("SPI transfers")
struct SPITransferTests {
    @Test(arguments: [
        (0, 4096, [Range<Int>]()),
        (1, 4096, [0..<1]),
        (4096, 4096, [0..<4096]),
        (4097, 4096, [0..<4096, 4096..<4097]),
        (10_000, 4096, [0..<4096, 4096..<8192, 8192..<10_000]),
        (1848, 1000, [0..<1000, 1000..<1848]),
    ])
    func chunksCoverTheFrameWithinTheBufferSize(total: Int, maxSize: Int, expected: [Range<Int>]) {
        #expect(Array(SPITransfer.chunks(totalBytes: total, maxTransferSize: maxSize)) == expected)
    }

    @Test func defaultIsSpidevBufsiz() {
        #expect(SPITransfer.defaultMaxTransferSize == 4096)
        let chunks = Array(SPITransfer.chunks(totalBytes: 144 * 12 + 120 + 5000))
        #expect(chunks.count == 2 && chunks.allSatisfy { $0.count <= 4096 })
        #expect(chunks.last?.upperBound == 144 * 12 + 120 + 5000)
    }
}
