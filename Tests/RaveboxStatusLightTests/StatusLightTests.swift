import Foundation
import RaveboxButtons
import RaveboxLights
import RaveboxStatusLight
import RaveboxTestSupport
import Testing

@Suite struct StatusLightTests {
    @Test func theWorstStateWins() {
        #expect(StatusLEDPattern(starting: true, failing: true, hotspotUp: true) == .error)
        #expect(StatusLEDPattern(starting: true, failing: false, hotspotUp: true) == .booting)
        #expect(StatusLEDPattern(starting: false, failing: false, hotspotUp: true) == .hotspot)
        #expect(StatusLEDPattern(starting: false, failing: false, hotspotUp: false) == .ready)
    }

    /// A board LED laid out like `/sys/class/leds/PWR`.
    static func led(in folder: TemporaryFolder) throws -> OnboardLED {
        let path = folder.file("PWR")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "255\n".write(toFile: path + "/max_brightness", atomically: false, encoding: .utf8)
        try "0\n".write(toFile: path + "/brightness", atomically: false, encoding: .utf8)
        try "none [default-on]\n".write(toFile: path + "/trigger", atomically: false, encoding: .utf8)
        return try OnboardLED(name: "PWR", root: folder.path)
    }

    @Test func aBoardLEDBlinksEachStatesPatternFromItsStart() throws {
        let folder = try TemporaryFolder("status-led")
        defer { folder.remove() }
        let light = StatusLight(sink: try Self.led(in: folder)) { Issue.record("unexpected failure: \($0)") }
        func brightness() -> String {
            ((try? String(contentsOfFile: folder.file("PWR/brightness"), encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let ms: UInt64 = 1_000_000
        let start: UInt64 = 10_000 * ms
        // Booting, sampled every 50 ms as the supervisor does: on 125 ms, off 125 ms.
        var booting: [String] = []
        for step in 0..<10 {
            light.show(.booting, now: start + UInt64(step) * 50 * ms)
            booting.append(brightness())
        }
        #expect(booting == ["255", "255", "255", "0", "0", "255", "255", "255", "0", "0"])
        // Error starts with its first flash at once, even mid-way through the old pattern.
        light.show(.error, now: start + 520 * ms)
        #expect(brightness() == "255" && light.current == .error)
        light.show(.error, now: start + 520 * ms + 160 * ms)
        #expect(brightness() == "0")
        light.show(.ready, now: start + 900 * ms)
        #expect(brightness() == "255")
        light.show(.ready, now: start + 5_000 * ms)
        #expect(brightness() == "255")
    }

    @Test func aFailingWriteIsReportedOnceThenLeftAlone() throws {
        let folder = try TemporaryFolder("status-led-gone")
        defer { folder.remove() }
        let led = try Self.led(in: folder)
        var failures: [String] = []
        let light = StatusLight(sink: led) { failures.append("\($0)") }
        light.show(.ready, now: 0)
        // The LED's files vanish (the device went away): a directory in place of the file refuses writes.
        try FileManager.default.removeItem(atPath: folder.file("PWR"))
        try FileManager.default.createDirectory(
            atPath: folder.file("PWR/brightness"), withIntermediateDirectories: true)
        for step in 1...20 { light.show(.booting, now: UInt64(step) * 50_000_000) }
        #expect(failures.count <= 1)
    }

    @Test func statusLEDOnAMissingChipNamesThePath() {
        #expect(throws: GPIOError.chipUnavailable(path: "/dev/gpiochip99", errno: ENOENT)) {
            try GPIOStatusLED(chip: "/dev/gpiochip99", line: 24)
        }
    }
}
