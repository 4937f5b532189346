import Foundation
import RaveboxButtons
import RaveboxTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The libgpiod adapter's error paths; its success paths run against gpio-sim in the QEMU image test.
@Suite struct GPIOButtonsTests {
    @Test func libgpiodAPIIsOneOrTwo() {
        #expect([1, 2].contains(GPIOChip.libgpiodAPI))
    }

    @Test func missingChipNamesThePathAndWhatToCheck() {
        var mapping = ButtonMapping.default
        mapping.chip = "/dev/gpiochip99"
        #expect(throws: GPIOError.chipUnavailable(path: "/dev/gpiochip99", errno: ENOENT)) {
            try GPIOButtons(mapping: mapping)
        }
        let message = GPIOError.chipUnavailable(path: "/dev/gpiochip99", errno: ENOENT).description
        #expect(message.contains("/dev/gpiochip99 not found"))
        #expect(message.contains("gpiodetect"))
    }

    @Test func deviceThatIsNotAChipIsReportedAsSuch() throws {
        var mapping = ButtonMapping.default
        mapping.chip = "/dev/null"
        do {
            _ = try GPIOButtons(mapping: mapping)
            Issue.record("/dev/null was accepted as a GPIO chip")
        } catch {
            guard case .chipUnavailable(let path, let code) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "/dev/null")
            #expect(code != ENOENT)
            #expect(error.description.contains("/dev/null is not a GPIO chip"))
        }
    }

    @Test func regularFileIsNotAChip() throws {
        let folder = try TemporaryFolder("gpio")
        defer { folder.remove() }
        let path = folder.file("gpiochip0")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        var mapping = ButtonMapping.default
        mapping.chip = path
        #expect {
            try GPIOButtons(mapping: mapping)
        } throws: { error in
            (error as? GPIOError)?.description.contains("is not a GPIO chip") ?? false
        }
    }

    @Test func checkReportsTheSameProblem() {
        guard case .failure(let problem) = GPIOChip.check(path: "/dev/gpiochip99") else {
            Issue.record("/dev/gpiochip99 exists")
            return
        }
        #expect(problem.errno == ENOENT)
        #expect(problem.description.contains("/dev/gpiochip99 not found"))
    }

    @Test func permissionAndBusyMessagesSayWhatToCheck() {
        let denied = GPIOError.chipUnavailable(path: "/dev/gpiochip0", errno: EACCES).description
        #expect(denied.contains("gpio group") && denied.contains("udev"))
        let busy = GPIOError.linesUnavailable(path: "/dev/gpiochip0", lines: [17, 26], errno: EBUSY).description
        #expect(busy.contains("17, 26") && busy.contains("dtoverlay") && busy.contains("gpioinfo"))
    }

    @Test func invalidMappingIsRejectedBeforeTheChipIsOpened() {
        var mapping = ButtonMapping.default
        mapping.chip = "/dev/gpiochip99"
        mapping.lines[.skip] = 17
        #expect(throws: GPIOError.invalidMapping(.lineUsedTwice(line: 17, first: "play_pause", second: "skip"))) {
            try GPIOButtons(mapping: mapping)
        }
    }
}
