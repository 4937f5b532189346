import Foundation
import RaveboxTestSupport
import Synchronization
import Testing

@testable import RaveboxIPC

/// A segment name no other test (or test run) uses, so tests can run in parallel.
func uniqueSegmentName(_ label: String = #function) -> String {
    let cleaned = label.filter { $0.isLetter || $0.isNumber }.prefix(40)
    return "/ravebox-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(cleaned)"
}

/// Creates a fresh segment, runs `body`, and unlinks the segment whatever happens.
func withSegment<T>(
    _ label: String = #function, _ body: (SharedSegment) async throws -> T
) async throws -> T {
    let segment = try SharedSegment.create(name: uniqueSegmentName(label))
    defer { _ = try? segment.unlink() }
    return try await body(segment)
}

/// Runs blocking work (futex waits, spinning readers, waiting for a child process) on a thread of its own,
/// so it never blocks the Swift concurrency pool the other tests run on.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

/// A flag shared between threads of a test.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

func sleep(milliseconds: Int) {
    usleep(UInt32(milliseconds * 1000))
}

/// The `ravebox` binary of the same build as this test binary (see `TestBinary`).
func raveboxExecutable() throws -> URL {
    URL(fileURLWithPath: try TestBinary.ravebox)
}

/// Result of running the `ravebox` binary.
struct ChildResult: Sendable {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Starts `ravebox` with `arguments`; `waitForExit()` collects its output.
final class Child: Sendable {
    private let process: Process
    private let output = Pipe()
    private let errors = Pipe()

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = try raveboxExecutable()
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    func waitForExit() async -> ChildResult {
        await onThread { [process, output, errors] in
            // Read before waiting so a chatty child never blocks on a full pipe.
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return ChildResult(
                status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
                standardError: String(decoding: err, as: UTF8.self))
        }
    }
}
