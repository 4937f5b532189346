import Foundation

/// Runs blocking work (waitpid, read, connect, getaddrinfo, FFmpeg probes) on a thread of its own so it never
/// occupies one of the few threads of Swift's cooperative pool.
enum OnThread {
    /// Runs `body` on a new thread named `name` and returns its result.
    static func run<Result: Sendable>(_ name: String, _ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
