import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxLights

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Three LEDs, wire-ordered, with every bit position set and clear somewhere.
private let threeLEDs: [LEDColor] = [
    LEDColor(red: 0x00, green: 0xFF, blue: 0x80),
    LEDColor(red: 0x01, green: 0x7E, blue: 0xA5),
    LEDColor(red: 0x5A, green: 0xC3, blue: 0x3C),
]

/// An empty capture file in a fresh temporary folder; the caller removes the folder.
private func captureFile(_ name: String = "capture.bin") throws -> (folder: TemporaryFolder, path: String) {
    let folder = try TemporaryFolder("wired")
    let path = folder.file(name)
    try #require(FileManager.default.createFile(atPath: path, contents: Data()))
    return (folder, path)
}

private func contents(_ path: String) throws -> [UInt8] {
    [UInt8](try #require(FileManager.default.contents(atPath: path)))
}

private func show(_ colors: [LEDColor], on output: some LEDOutput) throws {
    try colors.withUnsafeBufferPointer { try output.show($0) }
}

/// Packs a string of '0'/'1' (a multiple of 8 long) into bytes, MSB first.
private func bytes(fromBits bits: String) -> [UInt8] {
    let digits = Array(bits)
    return stride(from: 0, to: digits.count, by: 8).map { start in
        digits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 == "1" ? 1 : 0) }
    }
}

@Suite struct WiredOutputTests {
    /// WS2812 over SPI, written out from the timing rule rather than from the encoder: every data bit, MSB first,
    /// becomes a fixed SPI bit group whose high time is T1H or T0H, then the line stays low for ≥ 300 µs.
    struct WS2812Case: Sendable, CustomTestStringConvertible {
        let clock: WS2812SPIEncoding.SPIClock
        let one: String
        let zero: String
        /// ⌈clock · 300 µs / 8⌉ zero bytes.
        let latchBytes: Int
        var testDescription: String { "\(clock.hertz) Hz" }
    }

    @Test(arguments: [
        // 3.2 MHz: 312.5 ns per SPI bit; 1 = 937.5 ns high, 0 = 312.5 ns high; 960 bits = 120 bytes for 300 µs.
        WS2812Case(clock: .mhz3_2, one: "1110", zero: "1000", latchBytes: 120),
        // 2.4 MHz: 416.7 ns per SPI bit; 1 = 833 ns high, 0 = 417 ns high; 720 bits = 90 bytes for 300 µs.
        WS2812Case(clock: .mhz2_4, one: "110", zero: "100", latchBytes: 90),
    ])
    func ws2812CaptureFileHoldsDatasheetBitsThenLatch(_ testCase: WS2812Case) throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let output = try WS2812SPIOutput(path: path, ledCount: 3, clock: testCase.clock)
        try show(threeLEDs, on: output)

        var bits = ""
        for color in threeLEDs {
            for byte in [color.red, color.green, color.blue] {
                for bit in (0..<8).reversed() { bits += (byte >> bit) & 1 == 1 ? testCase.one : testCase.zero }
            }
        }
        let expected = bytes(fromBits: bits) + [UInt8](repeating: 0, count: testCase.latchBytes)
        #expect(try contents(path) == expected)
        #expect(output.name == "WS2812 on \(path)")
        #expect(output.ledCount == 3)
    }

    @Test func ws2812CaptureFileHoldsOnlyTheLatestFrame() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        try Data(repeating: 0xAA, count: 10_000).write(to: URL(fileURLWithPath: path))
        let output = try WS2812SPIOutput(path: path, ledCount: 3, clock: .mhz3_2)
        #expect(try contents(path).isEmpty, "a capture file is emptied when the output opens it")

        try show(threeLEDs, on: output)
        try show([LEDColor.black, LEDColor(red: 1, green: 2, blue: 3), LEDColor.black], on: output)
        let second = try contents(path)
        #expect(second.count == 3 * 12 + 120)
        #expect(second[0..<12].allSatisfy { $0 == 0x88 }, "black is all 1000 groups")
        #expect(second[36...].allSatisfy { $0 == 0 })
    }

    /// 500 LEDs at 3.2 MHz are 6120 bytes, more than spidev's default 4096-byte buffer; a capture file gets the
    /// whole frame in one piece, byte for byte what the encoder produces.
    @Test func ws2812FrameLargerThanSpidevBufferReachesCaptureFileWhole() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let colors = (0..<500).map { LEDColor(red: UInt8($0 % 256), green: UInt8($0 / 2), blue: 0x5A) }
        let output = try WS2812SPIOutput(path: path, ledCount: 500, clock: .mhz3_2)
        try show(colors, on: output)

        var expected = [UInt8](repeating: 0, count: WS2812SPIEncoding.byteCount(ledCount: 500, clock: .mhz3_2))
        colors.withUnsafeBufferPointer { source in
            expected.withUnsafeMutableBufferPointer { _ = WS2812SPIEncoding.encode(source, clock: .mhz3_2, into: $0) }
        }
        #expect(expected.count == 6120)
        #expect(try contents(path) == expected)
    }

    @Test func ws2812IgnoresColorsBeyondLEDCount() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let output = try WS2812SPIOutput(path: path, ledCount: 2, clock: .mhz2_4)
        try show(threeLEDs, on: output)
        #expect(try contents(path).count == 2 * 9 + 90)
    }

    /// APA102 frame: 32 zero bits, per LED `111` + 5-bit brightness and the three colour bytes in wire order (the
    /// renderer has already put them in the chip's blue, green, red order), then ⌈n/16⌉ end bytes.
    @Test func apa102CaptureFileHoldsStartFrameLEDsAndEndFrame() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let output = try APA102SPIOutput(path: path, ledCount: 3, chip: .apa102)
        try show(threeLEDs, on: output)
        let expected: [UInt8] =
            [0x00, 0x00, 0x00, 0x00]
            + [0xFF, 0x00, 0xFF, 0x80]
            + [0xFF, 0x01, 0x7E, 0xA5]
            + [0xFF, 0x5A, 0xC3, 0x3C]
            + [0xFF]
        #expect(try contents(path) == expected)
        #expect(output.name == "APA102 on \(path)")
    }

    /// SK9822: the same LED frames, then a 32-bit zero reset frame, and an end frame of zeros.
    @Test func sk9822CaptureFileHoldsResetFrameAndZeroEndFrame() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let output = try APA102SPIOutput(path: path, ledCount: 3, chip: .sk9822, globalBrightness: 7)
        try show(threeLEDs, on: output)
        let expected: [UInt8] =
            [0x00, 0x00, 0x00, 0x00]
            + [0xE7, 0x00, 0xFF, 0x80]
            + [0xE7, 0x01, 0x7E, 0xA5]
            + [0xE7, 0x5A, 0xC3, 0x3C]
            + [0x00, 0x00, 0x00, 0x00]
            + [0x00]
        #expect(try contents(path) == expected)
        #expect(output.name == "SK9822 on \(path)")
    }

    /// PCA9685 datasheet: MODE1 (0x00) = SLEEP (0x10) so PRE_SCALE (0xFE) is writable; PRE_SCALE =
    /// round(25 MHz / (4096 · 1 kHz)) − 1 = 5; MODE1 = AI (0x20) wakes it; MODE1 = RESTART | AI (0xA0).
    /// Then each channel n is one message to `0x06 + 4n`: ON_L, ON_H, OFF_L, OFF_H.
    @Test func pca9685CaptureFileHoldsInitSequenceThenChannelWrites() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let output = try PCA9685Output(
            path: path, address: 0x41, channels: PCA9685Encoding.Channels(red: 4, green: 5, blue: 6))
        #expect(try contents(path) == [0x00, 0x10, 0xFE, 0x05, 0x00, 0x20, 0x00, 0xA0])
        #expect(output.name == "PCA9685 at 0x41 on \(path)")
        #expect(output.ledCount == 1)

        try show([LEDColor(red: 255, green: 128, blue: 0)], on: output)
        let expected: [UInt8] =
            // Red, channel 4 at 0x16: 255 is FULL_ON (bit 4 of ON_H).
            [0x16, 0x00, 0x10, 0x00, 0x00]
            // Green, channel 5 at 0x1A: 128/255 · 4095 = 2055.5 → 2056 = 0x808 in OFF.
            + [0x1A, 0x00, 0x00, 0x08, 0x08]
            // Blue, channel 6 at 0x1E: 0 is FULL_OFF (bit 4 of OFF_H).
            + [0x1E, 0x00, 0x00, 0x00, 0x10]
        #expect(try contents(path) == expected)
    }

    @Test func pca9685SkipsAFrameWithTheColorItAlreadyShows() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let output = try PCA9685Output(path: path, channels: PCA9685Encoding.Channels(red: 0, green: 1, blue: 2))
        let orange = LEDColor(red: 255, green: 80, blue: 0)
        try show([orange], on: output)
        #expect(try contents(path).count == 15)

        try Data().write(to: URL(fileURLWithPath: path))
        try show([orange], on: output)
        #expect(try contents(path).isEmpty, "an unchanged colour is not sent again")

        try show([LEDColor(red: 255, green: 81, blue: 0)], on: output)
        #expect(try contents(path).count == 15)
        try show([], on: output)
        #expect(try contents(path).count == 15, "an empty frame is ignored")
    }

    @Test func spiOutputsOnDevNullThrowNotADevice() throws {
        let expected = LEDOutputError.notADevice(path: "/dev/null", bus: .spi, errno: ENOTTY)
        #expect(throws: expected) { try WS2812SPIOutput(path: "/dev/null", ledCount: 3, clock: .mhz3_2) }
        #expect(throws: expected) { try APA102SPIOutput(path: "/dev/null", ledCount: 3, chip: .apa102) }
        let description = expected.description
        #expect(description.contains("/dev/null is not an SPI device"))
        #expect(description.contains("check the device path"))
        #expect(description.contains("/dev/spidev0.0"))
    }

    @Test func pca9685OnDevNullThrowsNotADevice() throws {
        let expected = LEDOutputError.notADevice(path: "/dev/null", bus: .i2c, errno: ENOTTY)
        #expect(throws: expected) {
            try PCA9685Output(path: "/dev/null", channels: PCA9685Encoding.Channels(red: 0, green: 1, blue: 2))
        }
        #expect(expected.description.contains("/dev/null is not an I2C bus"))
        #expect(expected.description.contains("/dev/i2c-1"))
    }

    @Test func missingSPIDeviceSaysToEnableSPI() throws {
        let expected = LEDOutputError.deviceMissing(path: "/nonexistent/spidev9.9", bus: .spi, errno: ENOENT)
        #expect(throws: expected) { try WS2812SPIOutput(path: "/nonexistent/spidev9.9", ledCount: 3, clock: .mhz2_4) }
        #expect(
            expected.description.hasPrefix("/nonexistent/spidev9.9 not found (No such file or directory (errno 2))"))
        #expect(expected.description.contains("dtparam=spi=on in config.txt"))
    }

    @Test func missingI2CBusSaysToEnableI2C() throws {
        let expected = LEDOutputError.deviceMissing(path: "/nonexistent/i2c-9", bus: .i2c, errno: ENOENT)
        #expect(throws: expected) {
            try PCA9685Output(path: "/nonexistent/i2c-9", channels: PCA9685Encoding.Channels(red: 0, green: 1, blue: 2))
        }
        #expect(expected.description.contains("/nonexistent/i2c-9 not found"))
        #expect(expected.description.contains("dtparam=i2c_arm=on"))
    }

    @Test func directoryIsNotADevice() throws {
        let folder = try TemporaryFolder("wired")
        defer { folder.remove() }
        #expect(throws: LEDOutputError.notADevice(path: folder.path, bus: .spi, errno: EISDIR)) {
            try SPIDevice(path: folder.path, speedHertz: 1_000_000)
        }
    }

    /// Tests usually run as root, which no permission stops, so the message is checked on its own.
    @Test(arguments: [
        (LEDOutputError.Bus.spi, "the ravebox user needs the spi group (udev rules)"),
        (LEDOutputError.Bus.i2c, "the ravebox user needs the i2c group (udev rules)"),
    ])
    func permissionDeniedNamesTheGroup(bus: LEDOutputError.Bus, advice: String) {
        let error = LEDOutputError.permissionDenied(path: "/dev/x", bus: bus, errno: EACCES)
        #expect(error.description.hasPrefix("no permission to open /dev/x"))
        #expect(error.description.contains(advice))
    }

    @Test func i2cWriteWithoutAnswerPointsToWiringAndAddress() {
        let error = LEDOutputError.writeFailed(path: "/dev/i2c-1", bus: .i2c, errno: EREMOTEIO)
        #expect(error.description.hasPrefix("cannot send LED frame to /dev/i2c-1"))
        #expect(error.description.contains("i2cdetect -y 1"))
    }

    /// Bad settings fail as `invalidConfiguration` naming the path, before the device is opened (`/dev/null` would
    /// otherwise fail as not a device).
    @Test func invalidSettingsAreRefusedBeforeOpening() {
        let channels = PCA9685Encoding.Channels(red: 0, green: 1, blue: 2)
        let attempts: [() throws -> Void] = [
            { _ = try WS2812SPIOutput(path: "/dev/null", ledCount: 0, clock: .mhz3_2) },
            { _ = try APA102SPIOutput(path: "/dev/null", ledCount: 1, chip: .apa102, globalBrightness: 32) },
            { _ = try SPIDevice(path: "/dev/null", speedHertz: 0) },
            { _ = try SPIDevice(path: "/dev/null", speedHertz: 1_000_000, transferAlignment: 0) },
            { _ = try PCA9685Output(path: "/dev/null", channels: channels, frequency: 0) },
            { _ = try I2CDevice(path: "/dev/null", address: 0x80) },
        ]
        for attempt in attempts {
            let error = #expect(throws: LEDOutputError.self) { try attempt() }
            guard case .invalidConfiguration(let target, _) = error else {
                Issue.record("expected invalidConfiguration, got \(String(describing: error))")
                continue
            }
            #expect(target == "/dev/null")
        }
    }
}

@Suite struct SPITransferLimitTests {
    @Test(arguments: [
        ("4096\n", 1, 4096),
        ("65536\n", 1, 65536),
        // Rounded down to a multiple of 128, so spidev's DMA-aligned count cannot exceed bufsiz.
        ("5000\n", 1, 4992),
        ("100", 1, 100),
        ("0\n", 1, SPITransfer.defaultMaxTransferSize),
        ("many\n", 1, SPITransfer.defaultMaxTransferSize),
        // Whole WS2812 LEDs: 12 bytes at 3.2 MHz, 9 at 2.4 MHz, so a split never cuts a data bit's SPI bits.
        ("4096\n", 12, 4092),
        ("4096\n", 9, 4095),
        ("65536\n", 9, 65529),
    ])
    func transferLimitComesFromBufsiz(text: String, alignment: Int, limit: Int) throws {
        let folder = try TemporaryFolder("bufsiz")
        defer { folder.remove() }
        let path = folder.file("bufsiz")
        try #require(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        #expect(SPIDevice.maxTransferSize(readingFrom: path, alignment: alignment) == limit)
    }

    @Test func transferLimitDefaultsTo4096WhenBufsizIsUnreadable() {
        #expect(SPIDevice.maxTransferSize(readingFrom: "/nonexistent/bufsiz") == 4096)
    }

    @Test func captureDeviceReportsTheLimitItRead() throws {
        let (folder, path) = try captureFile()
        defer { folder.remove() }
        let limitFile = folder.file("bufsiz")
        try #require(FileManager.default.createFile(atPath: limitFile, contents: Data("16384\n".utf8)))
        let device = try SPIDevice(path: path, speedHertz: 2_400_000, transferAlignment: 9, bufferSizePath: limitFile)
        #expect(device.isCaptureFile)
        #expect(device.maxTransferSize == 16380)
        try [UInt8](repeating: 7, count: 20_000).withUnsafeBytes { try device.write($0) }
        #expect(try contents(path) == [UInt8](repeating: 7, count: 20_000))
    }

    /// The ranges `SPIDevice.write` sends as separate messages for a 4096-byte spidev buffer.
    @Test func framesSplitIntoSpidevSizedMessages() {
        #expect(Array(SPITransfer.chunks(totalBytes: 6120, maxTransferSize: 4096)) == [0..<4096, 4096..<6120])
        #expect(Array(SPITransfer.chunks(totalBytes: 4096, maxTransferSize: 4096)) == [0..<4096])
    }
}
