import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxLights

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary folder laid out like /sys/class/leds, with LEDs as folders of regular files.
private struct FakeLEDs {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder("leds") }

    @discardableResult
    func add(
        _ name: String, maxBrightness: String = "255\n", trigger: String = "none [mmc0] timer heartbeat\n",
        brightness: String = "255\n"
    ) throws -> FakeLEDs {
        let led = folder.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: led, withIntermediateDirectories: true)
        try maxBrightness.write(to: led.appendingPathComponent("max_brightness"), atomically: false, encoding: .utf8)
        try trigger.write(to: led.appendingPathComponent("trigger"), atomically: false, encoding: .utf8)
        try brightness.write(to: led.appendingPathComponent("brightness"), atomically: false, encoding: .utf8)
        return self
    }

    func read(_ name: String, _ file: String) throws -> String {
        try String(contentsOfFile: folder.file("\(name)/\(file)"), encoding: .utf8)
    }

    /// Overwrites a file in place (same inode, as the kernel would change it), behind the LED's back.
    func overwrite(_ name: String, _ file: String, with text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file("\(name)/\(file)")))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
}

@Suite struct OnboardLEDTests {
    @Test func takesOverTheTriggerAndRestoresIt() throws {
        let leds = try FakeLEDs().add("ACT")
        defer { leds.folder.remove() }

        let led = try OnboardLED(name: "ACT", root: leds.folder.path)
        #expect(led.savedTrigger == "mmc0")
        #expect(led.maxBrightness == 255)
        #expect(led.path == leds.folder.path + "/ACT")
        #expect(led.name == "onboard LED ACT")
        #expect(try leds.read("ACT", "trigger") == "none")

        try led.restore()
        #expect(try leds.read("ACT", "trigger") == "mmc0")
    }

    @Test func deinitRestoresTheTrigger() throws {
        let leds = try FakeLEDs().add("PWR", trigger: "none rfkill-any [default-on] heartbeat\n")
        defer { leds.folder.remove() }

        do {
            let led = try OnboardLED(name: "PWR", root: leds.folder.path)
            try led.set(false)
            #expect(try leds.read("PWR", "trigger") == "none")
        }
        #expect(try leds.read("PWR", "trigger") == "default-on")
    }

    @Test func onWritesMaxBrightnessAndOffWrites0() throws {
        let leds = try FakeLEDs().add("led0", maxBrightness: "1\n", brightness: "0\n")
        defer { leds.folder.remove() }
        let led = try OnboardLED(name: "led0", root: leds.folder.path)

        try led.set(true)
        #expect(try leds.read("led0", "brightness") == "1")
        try led.set(false)
        #expect(try leds.read("led0", "brightness") == "0")
        try led.set(level: 0.6)  // an on/off LED is on from 0.5
        #expect(try leds.read("led0", "brightness") == "1")
    }

    @Test func levelScalesToMaxBrightness() throws {
        let leds = try FakeLEDs().add("ACT", maxBrightness: "1023\n", brightness: "0\n")
        defer { leds.folder.remove() }
        let led = try OnboardLED(name: "ACT", root: leds.folder.path)

        try led.set(level: 0.5)
        #expect(try leds.read("ACT", "brightness") == "512")
        try led.set(level: 2)
        #expect(try leds.read("ACT", "brightness") == "1023")
        try led.set(level: -1)
        #expect(try leds.read("ACT", "brightness") == "0")
        let dimRed = [LEDColor(red: 51, green: 0, blue: 0)]
        try dimRed.withUnsafeBufferPointer { try led.show($0) }
        #expect(try leds.read("ACT", "brightness") == "205")  // 0.2 × 1023, rounded
    }

    @Test func unchangedValueIsNotWrittenAgain() throws {
        let leds = try FakeLEDs().add("ACT", brightness: "0\n")
        defer { leds.folder.remove() }
        let led = try OnboardLED(name: "ACT", root: leds.folder.path)

        try led.set(true)
        #expect(try leds.read("ACT", "brightness") == "255")
        try leds.overwrite("ACT", "brightness", with: "7")
        try led.set(true)
        try led.set(level: 1)
        #expect(try leds.read("ACT", "brightness") == "7")  // not rewritten
        try led.set(false)
        #expect(try leds.read("ACT", "brightness") == "0")
    }

    @Test func brightnessReadAtInitCountsAsCurrent() throws {
        let leds = try FakeLEDs().add("ACT", brightness: "0\n")
        defer { leds.folder.remove() }
        let led = try OnboardLED(name: "ACT", root: leds.folder.path)

        try leds.overwrite("ACT", "brightness", with: "x")
        try led.set(false)  // already 0 when the LED was taken over
        #expect(try leds.read("ACT", "brightness") == "x")
    }

    @Test func missingLEDNamesThePathAndThePiNames() throws {
        let leds = try FakeLEDs().add("led0")
        defer { leds.folder.remove() }

        #expect {
            _ = try OnboardLED(name: "ACT", root: leds.folder.path)
        } throws: { error in
            guard let error = error as? LEDOutputError, case .onboardLEDNotFound(let name, let root) = error else {
                return false
            }
            let message = error.description
            return name == "ACT" && root == leds.folder.path
                && message.contains("no LED named ACT under \(leds.folder.path)")
                && message.contains("ACT/PWR (led0/led1 on older kernels)")
        }
    }

    @Test func permissionErrorAsksForAUdevRule() {
        let error = LEDOutputError.onboardLEDFailed(path: "/sys/class/leds/ACT/brightness", errno: EACCES)
        #expect(error.description.contains("the ravebox user needs write access to /sys/class/leds/ACT (udev rule)"))
        let other = LEDOutputError.onboardLEDFailed(path: "/sys/class/leds/ACT/trigger", errno: EIO)
        #expect(other.description.contains("/sys/class/leds/ACT/trigger"))
        #expect(!other.description.contains("udev"))
    }

    @Test func firstExistingPicksTheFirstNameThatIsThere() throws {
        let leds = try FakeLEDs().add("led0").add("led1")
        defer { leds.folder.remove() }

        #expect(OnboardLED.firstExisting(OnboardLED.activityLEDNames, root: leds.folder.path) == "led0")
        #expect(OnboardLED.firstExisting(OnboardLED.powerLEDNames, root: leds.folder.path) == "led1")
        try leds.add("ACT")
        #expect(OnboardLED.firstExisting(OnboardLED.activityLEDNames, root: leds.folder.path) == "ACT")
        #expect(OnboardLED.firstExisting(["nope"], root: leds.folder.path) == nil)
    }

    @Test(arguments: [
        ("none [mmc0] timer heartbeat\n", "mmc0"),
        ("[none] mmc0 timer\n", "none"),
        ("none rfkill-any [actpwr]", "actpwr"),
        ("none mmc0 timer\n", "none"),
    ])
    func activeTriggerIsTheBracketedEntry(text: String, trigger: String) {
        #expect(OnboardLED.activeTrigger(in: text) == trigger)
    }
}
