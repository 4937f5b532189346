import Foundation
import Logging
import RaveboxScreen
import RaveboxTestSupport
import Testing

@testable import RaveboxDisplay

/// The libdrm adapter's error paths (the test machines have no DRM device; the real paths run on the box
/// and on vkms in the QEMU image).
@Suite struct DRMDisplayTests {
    @Test func emptyDeviceDirectoryIsNoDevice() throws {
        let folder = try TemporaryFolder("dri")
        defer { folder.remove() }
        #expect(throws: DisplayError.noDevice(directory: folder.path)) { try DRMDisplay.first(in: folder.path) }
        #expect("\(DisplayError.noDevice(directory: folder.path))".contains(folder.path))
    }

    @Test func missingDirectoryIsNoDevice() {
        #expect(throws: DisplayError.noDevice(directory: "/nonexistent/dri")) {
            try DRMDisplay.first(in: "/nonexistent/dri")
        }
    }

    @Test func missingNodeNamesThePathAndErrno() {
        #expect(throws: DisplayError.cannotOpen(path: "/nonexistent/card0", errno: ENOENT)) {
            try DRMDisplay(devicePath: "/nonexistent/card0")
        }
        #expect("\(DisplayError.cannotOpen(path: "/dev/dri/card0", errno: EACCES))".contains("video group"))
    }

    @Test func nodeThatIsNotDRMIsRefused() {
        #expect(throws: DisplayError.notKMS(path: "/dev/null")) { try DRMDisplay(devicePath: "/dev/null") }
    }

    @Test func cardThatIsARegularFileIsRefused() throws {
        let folder = try TemporaryFolder("dri")
        defer { folder.remove() }
        let card = folder.file("card0")
        #expect(FileManager.default.createFile(atPath: card, contents: Data()))
        #expect(DRMDisplay.devicePaths(in: folder.path) == [card])
        #expect(throws: DisplayError.notKMS(path: card)) { try DRMDisplay.first(in: folder.path) }
    }

    @Test func openWithoutDeviceLogsOneLineAndReturnsNil() throws {
        let folder = try TemporaryFolder("dri")
        defer { folder.remove() }
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in lines }
        #expect(DRMDisplay.open(settings: ScreenSettings(), directory: folder.path, logger: logger) == nil)
        #expect(lines.messages.count == 1)
        #expect(lines.messages.first?.contains("No DRM device in \(folder.path)") == true)
    }

    @Test func memoryDisplayKeepsTheLastFrameAndRejectsShortOnes() throws {
        let display = MemoryDisplay(width: 4, height: 2)
        let frame: [UInt32] = Array(0..<8)
        try frame.withUnsafeBufferPointer { try display.present($0) }
        #expect(display.frame == frame && display.presentedFrames == 1)
        #expect(throws: DisplayError.frameSize(expected: 8, got: 3)) {
            try [UInt32](repeating: 0, count: 3).withUnsafeBufferPointer { try display.present($0) }
        }
    }
}

/// A log handler that keeps the messages.
private final class LogLines: LogHandler, @unchecked Sendable {
    // Safe: every access to `stored` goes through `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { lock.withLock { stored } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { stored.append("\(event.message)") }
    }
}
