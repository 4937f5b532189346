import Foundation

/// The real `ravebox` executable built next to the running test bundle, for tests that run processes.
public enum TestBinary {
    /// Path of `ravebox` in the build products folder (the folder of the running test binary).
    public static var ravebox: String {
        get throws {
            if let override = ProcessInfo.processInfo.environment["RAVEBOX_BIN"] { return override }
            let me =
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            var folder = URL(fileURLWithPath: me).deletingLastPathComponent()
            // Inside an .xctest bundle the runner may sit one or more folders below the products folder.
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("ravebox").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                folder.deleteLastPathComponent()
            }
            throw TestSupportError("the ravebox executable is not built next to \(me): run `swift build` first")
        }
    }
}

/// A failure in test set-up, with a message that says what to do.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
