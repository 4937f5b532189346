import Atomics
import Foundation
import Logging
import RaveboxButtons
import RaveboxIPC
import RaveboxStore
import ServiceLifecycle

/// The engine process as a service: scans the library in the background (and again when a USB stick comes
/// or goes, see ``LibraryWatcher``), checks the box's hardware, and runs the ``Engine`` loop on its own thread
/// until graceful shutdown.
public struct EngineService: Service {
    let engine: Engine
    let logger: Logger
    /// GPIO chip the buttons are wired to.
    let gpioChip: String
    /// Folder the USB sticks are mounted in (`usb_root`); nil = no USB sticks.
    let usbRoot: String?

    public init(engine: Engine, logger: Logger, gpioChip: String = "/dev/gpiochip0", usbRoot: String? = nil) {
        self.engine = engine
        self.logger = logger
        self.gpioChip = gpioChip
        self.usbRoot = usbRoot
    }

    public func run() async throws {
        checkHardware()
        let watcher = startLibraryWatcher()
        defer { watcher?.stop() }
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

    /// Scans the library now and whenever a music folder or USB stick comes or goes; nil when there is
    /// nothing to watch.
    private func startLibraryWatcher() -> LibraryWatcher? {
        let libraries = engine.configuration.libraries
        guard !libraries.isEmpty || usbRoot != nil else { return nil }
        let segment = engine.segment
        let watcher = LibraryWatcher(
            libraries: libraries, usbRoot: usbRoot, scanner: LibraryScanner(store: engine.store, logger: logger),
            logger: logger, onChange: { segment.bump(.library) })
        watcher.start()
        return watcher
    }
}
