import Foundation
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxEngine

/// The light thread inside a running engine: real analysis of what plays, real UDP to a receiver on loopback.
@Suite(.serialized) struct EngineLightsTests {
    private static func wled(_ name: String, port: Int, leds: Int = 32) -> LEDOutputConfiguration {
        LEDOutputConfiguration(name: name, kind: .wled, host: "127.0.0.1", port: port, ledCount: leds)
    }

    /// WLED DRGB frames: `[2, timeout]` then R, G, B per LED.
    private static func colors(_ packet: [UInt8]) -> [(red: UInt8, green: UInt8, blue: UInt8)] {
        stride(from: 2, to: packet.count - 2, by: 3).map { (packet[$0], packet[$0 + 1], packet[$0 + 2]) }
    }

    @Test func raveShowsABassToneInRedAtTheStripsStartWhileItIsHeard() async throws {
        let receiver = try UDPReceiver()
        let harness = try EngineHarness(
            lights: LightsConfiguration(outputs: [Self.wled("tv", port: receiver.port)]))
        var settings = LightOutputSettings(program: .rave)
        settings.gamma = 1
        try await harness.store.setLightSettings(settings, output: "tv")
        let song = harness.folder.file("bass.wav")
        try WAVFile.write(WAVFile.sine(frequency: 60, seconds: 4), to: song)
        _ = try harness.store.enqueue(songID: try harness.addSong(song, title: "Bass", duration: 4), requestedBy: nil)
        harness.start()

        // While it plays: the lowest LEDs (red, the low bands) are lit, the top (blue, high bands) is dark.
        var lit: [(red: UInt8, green: UInt8, blue: UInt8)] = []
        let deadline = Date().addingTimeInterval(4)
        while Date() < deadline, let packet = receiver.next() {
            #expect(packet.count == 2 + 32 * 3 && packet[0] == 2, "a DRGB frame of 32 LEDs")
            let leds = Self.colors(packet)
            if leds[0].red > 150 {
                lit = leds
                break
            }
        }
        try #require(!lit.isEmpty, "no frame showed the bass")
        #expect(lit[0].green < 40 && lit[0].blue < 40, "the bass is red: \(lit[0])")
        #expect(lit[31].red < 30 && lit[31].green < 30 && lit[31].blue < 30, "treble stays dark: \(lit[31])")

        // The telemetry counts the frames, previews the strip and says how late the LEDs follow the sound.
        var telemetry = Telemetry()
        #expect(
            await harness.eventually(within: 3) {
                telemetry = harness.segment.telemetry.read()
                // While the bass plays, the preview's first LED is red like the strip's.
                return telemetry.ledFrames > 20 && telemetry.ledLatencyP50Micros > 0
                    && telemetry.preview.count == Telemetry.previewLEDCapacity && telemetry.preview[0] >> 16 > 150
            })
        #expect(telemetry.previewLengths == [32])
        #expect(telemetry.ledLatencyP99Micros >= telemetry.ledLatencyP50Micros)
        // Frames are shown once heard, not before and not queued: well under a second behind.
        #expect(abs(telemetry.ledLagP50Micros) < 100_000, "lag \(telemetry.ledLagP50Micros) µs")
        await harness.stopAndWait()
    }

    @Test func aMissingDeviceIsReportedWithItsPathAndTheOtherOutputsKeepRunning() async throws {
        let receiver = try UDPReceiver()
        let ring = LEDOutputConfiguration(name: "ring", kind: .ws2812, device: "/nonexistent/spidev9.9", ledCount: 16)
        let harness = try EngineHarness(
            lights: LightsConfiguration(outputs: [ring, Self.wled("tv", port: receiver.port, leds: 8)]))
        try await harness.store.setLightSettings(LightOutputSettings(program: .fixed), output: "tv")
        try await harness.store.setLightSettings(LightOutputSettings(program: .fixed), output: "ring")
        harness.start()
        let packet = try #require(receiver.next(), "the WLED output runs")
        #expect(Self.colors(packet).allSatisfy { $0 == (255, 255, 255) })
        var status = ""
        #expect(
            await harness.eventually(within: 2) {
                status = try await harness.store.lightStatus(output: "ring")
                return !status.isEmpty
            })
        #expect(status.contains("/nonexistent/spidev9.9") && status.contains("dtparam=spi=on"), "\(status)")
        #expect(try await harness.store.lightStatus(output: "tv") == "")
        await harness.stopAndWait()
    }

    @Test func programChangesFromTheStoreTakeEffectWhileRunning() async throws {
        let receiver = try UDPReceiver()
        let harness = try EngineHarness(
            lights: LightsConfiguration(outputs: [Self.wled("tv", port: receiver.port, leds: 4)]))
        harness.start()
        let dark = try #require(receiver.next())
        #expect(Self.colors(dark).allSatisfy { $0 == (0, 0, 0) }, "disabled until a program is chosen")
        var settings = LightOutputSettings(program: .fixed)
        settings.color = "#ff0000"
        try await harness.store.setLightSettings(settings, output: "tv")
        harness.segment.bump(.settings)
        var red = false
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, !red, let packet = receiver.next() {
            red = Self.colors(packet).allSatisfy { $0 == (255, 0, 0) }
        }
        #expect(red)
        await harness.stopAndWait()
    }

    @Test func theAlarmTurnsEveryOutputRedWithItsEnvelopeAndThenGivesItBack() async throws {
        let receiver = try UDPReceiver()
        let harness = try EngineHarness(
            soundsDirectory: true, lights: LightsConfiguration(outputs: [Self.wled("tv", port: receiver.port, leds: 4)])
        )
        var settings = LightOutputSettings(program: .fixed)
        settings.color = "#00ff00"
        settings.gamma = 1
        try await harness.store.setLightSettings(settings, output: "tv")
        _ = try await harness.store.updateSettings(["buzzerCooldown": .double(0)])
        harness.start()
        #expect(Self.colors(try #require(receiver.next())).allSatisfy { $0 == (0, 255, 0) })
        try harness.segment.commands.push(Command(kind: .alarm))
        // Red only, rising and falling with the envelope (Raveberry's 0.45 s ramp up, hold, 0.8 s ramp down).
        // Three seconds of the envelope from its first red packet: a slow engine (under ThreadSanitizer, about
        // ten times slower) may take a while to pick up the command.
        var reds: [UInt8] = []
        var deadline = Date().addingTimeInterval(10)
        while Date() < deadline, let packet = receiver.next() {
            let led = Self.colors(packet)[0]
            if led == (0, 255, 0) && reds.isEmpty { continue }
            if reds.isEmpty { deadline = Date().addingTimeInterval(3) }
            #expect(led.green == 0 && led.blue == 0, "\(led)")
            reds.append(led.red)
        }
        #expect(reds.contains(255), "the envelope reaches full red")
        #expect(reds.contains { $0 > 20 && $0 < 235 }, "and ramps")
        #expect(reds.contains(0), "and goes dark between flashes")
        // After the alarm the output shows its own program again.
        #expect(
            await harness.eventually(within: 12) {
                harness.segment.telemetry.read().state != .alarm
            })
        var green = false
        let after = Date().addingTimeInterval(2)
        while Date() < after, !green, let packet = receiver.next() {
            green = Self.colors(packet)[0] == (0, 255, 0)
        }
        #expect(green)
        await harness.stopAndWait()
    }

    @Test func partyModeSwitchesOutputsToThePartyProgram() async throws {
        let receiver = try UDPReceiver()
        let harness = try EngineHarness(
            lights: LightsConfiguration(outputs: [Self.wled("tv", port: receiver.port, leds: 4)]))
        try await harness.store.setLightSettings(LightOutputSettings(program: .fixed), output: "tv")
        _ = try await harness.store.updateSettings([
            "peopleToParty": .int(2), "partyLightProgram": .string("strobe"), "songCooldown": .double(0),
        ])
        let song = harness.folder.file("quiet.wav")
        try WAVFile.write(WAVFile.sine(frequency: 440, seconds: 0.2), to: song)
        let id = try harness.addSong(song, title: "Quiet", duration: 0.2)
        // Two guests requested something in the last minutes: a party of two.
        _ = try harness.store.enqueue(songID: id, requestedBy: "a", voter: "guest-a")
        _ = try harness.store.enqueue(songID: id, requestedBy: "b", voter: "guest-b")
        harness.start()
        // Strobe: full white and black frames alternate (10 flashes a second); fixed would stay white.
        var black = 0
        var white = 0
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, black < 3 || white < 3, let packet = receiver.next() {
            let led = Self.colors(packet)[0]
            if led == (0, 0, 0) { black += 1 }
            if led == (255, 255, 255) { white += 1 }
        }
        #expect(black >= 3 && white >= 3, "\(white) white and \(black) black frames")
        await harness.stopAndWait()
    }

    @Test func onboardActivityLEDBlinksForARequestAndGoesBackToItsTrigger() async throws {
        let sysfs = try TemporaryFolder("leds")
        defer { sysfs.remove() }
        for name in ["ACT", "PWR"] {
            try FileManager.default.createDirectory(atPath: sysfs.file(name), withIntermediateDirectories: true)
            try "255\n".write(toFile: sysfs.file("\(name)/max_brightness"), atomically: false, encoding: .utf8)
            try "0\n".write(toFile: sysfs.file("\(name)/brightness"), atomically: false, encoding: .utf8)
            try "none [mmc0] timer\n".write(toFile: sysfs.file("\(name)/trigger"), atomically: false, encoding: .utf8)
        }
        let harness = try EngineHarness(
            lights: LightsConfiguration(onboardLEDs: true), onboardLEDRoot: sysfs.path)
        func read(_ file: String) -> String {
            ((try? String(contentsOfFile: sysfs.file(file), encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        harness.start()
        #expect(await harness.eventually(within: 2) { read("PWR/brightness") == "255" }, "PWR is on")
        #expect(read("ACT/trigger") == "none" && read("ACT/brightness") == "0")
        harness.segment.bump(.queue)
        #expect(await harness.eventually(within: 2) { read("ACT/brightness") == "255" }, "ACT lights up")
        #expect(await harness.eventually(within: 2) { read("ACT/brightness") == "0" }, "and goes out again")
        await harness.stopAndWait()
        #expect(read("ACT/trigger") == "mmc0" && read("PWR/trigger") == "mmc0")
    }
}
