import Atomics
import Foundation
import Logging
import RaveboxButtons
import RaveboxIPC
import RaveboxStore
import ServiceLifecycle

/// The engine process as a service: scans the library in the background, checks the box's hardware,
/// and runs the ``Engine`` loop on its own thread until graceful shutdown.
public struct EngineService: Service {
    let engine: Engine
    let logger: Logger
    /// GPIO chip the buttons are wired to.
    let gpioChip: String

    public init(engine: Engine, logger: Logger, gpioChip: String = "/dev/gpiochip0") {
        self.engine = engine
        self.logger = logger
        self.gpioChip = gpioChip
    }

    public func run() async throws {
        checkHardware()
        startLibraryScan()
        let stop = ManagedAtomic(false)
        let engine = engine
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let thread = Thread {
                    do {
                        try engine.run(until: stop)
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "engine-control"
                thread.start()
            }
        } onGracefulShutdown: {
            stop.store(true, ordering: .releasing)
        }
    }

    /// One log line per missing device, naming it and what to check; the engine runs without it.
    private func checkHardware() {
        if case .failure(let problem) = GPIOChip.check(path: gpioChip) {
            logger.notice("\(problem)")
        }
    }

    private func startLibraryScan() {
        let roots = engine.configuration.libraries
        guard !roots.isEmpty else { return }
        let scanner = LibraryScanner(store: engine.store, logger: logger)
        let segment = engine.segment
        let logger = logger
        let thread = Thread {
            do {
                let summary = try scanner.scan(roots: roots)
                segment.bump(.library)
                let counts =
                    "\(summary.audioFiles) audio files, \(summary.added) new, \(summary.updated) changed, "
                    + "\(summary.unavailable) gone, \(summary.failures.count) unreadable"
                logger.info("library scanned: \(counts)")
                for (path, reason) in summary.failures.sorted(by: { $0.key < $1.key }) {
                    logger.warning("cannot read \(path): \(reason)")
                }
            } catch {
                logger.error("library scan failed: \(error)")
            }
        }
        thread.name = "library-scan"
        thread.qualityOfService = .background
        thread.start()
    }
}
