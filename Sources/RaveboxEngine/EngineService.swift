import Atomics
import Foundation
import Logging
import RaveboxButtons
import RaveboxIPC
import RaveboxLibrary
import RaveboxStore
import ServiceLifecycle

/// The engine process as a service: scans the library in the background (and again when a USB stick comes
/// or goes, see ``LibraryWatcher``), checks the box's hardware, and runs the ``Engine`` loop on its own thread
/// until graceful shutdown.
public struct EngineService: Service {
    let engine: Engine
    let logger: Logger
    /// Folder the USB sticks are mounted in (`usb_root`); nil = no USB sticks.
    let usbRoot: String?

    public init(engine: Engine, logger: Logger, usbRoot: String? = nil) {
        self.engine = engine
        self.logger = logger
        self.usbRoot = usbRoot
    }

    public func run() async throws {
        let watcher = startLibraryWatcher()
        defer { watcher?.stop() }
        let stop = ManagedAtomic(false)
        let buttons = startButtons(until: stop)
        defer {
            stop.store(true, ordering: .releasing)
            buttons?.wait()
        }
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

    /// Seconds between attempts to open the buttons' chip.
    static let buttonsRetryInterval = 5.0

    /// Reads the buttons on their own thread and hands what they ask for to the engine; nil when there are none.
    /// A chip that cannot be opened gets one log line naming it and what to check, and is tried again every
    /// ``buttonsRetryInterval`` seconds; the engine runs without buttons meanwhile.
    private func startButtons(until stop: ManagedAtomic<Bool>) -> DispatchSemaphore? {
        let mapping: ButtonMapping
        do {
            guard let configured = try ButtonMapping.resolve(engine.configuration.buttons) else { return nil }
            mapping = configured
        } catch {
            logger.error("buttons: the buttons mapping in ravebox.yaml is not valid: \(error); no buttons")
            return nil
        }
        let done = DispatchSemaphore(value: 0)
        let engine = engine
        let logger = logger
        // Opened on its own thread, which alone uses it. A chip that is missing or refuses at first (udev not done
        // with its permissions yet, an expander that comes later) is tried again every few seconds.
        let thread = Thread {
            defer { done.signal() }
            var source: GPIOButtons?
            var nextTry = 0.0
            var reported = false
            while !stop.load(ordering: .acquiring) {
                guard let buttons = source else {
                    let now = Date().timeIntervalSince1970
                    if now >= nextTry {
                        nextTry = now + Self.buttonsRetryInterval
                        do {
                            source = try GPIOButtons(mapping: mapping)
                            logger.info("buttons on \(mapping.chip)")
                        } catch {
                            if !reported {
                                logger.notice(
                                    "buttons: \(error); trying again every \(Int(Self.buttonsRetryInterval)) s")
                                reported = true
                            }
                        }
                    }
                    if source == nil { Thread.sleep(forTimeInterval: 0.2) }
                    continue
                }
                do {
                    if let action = try buttons.nextAction(timeoutMilliseconds: 200) { engine.perform(action) }
                } catch {
                    logger.error("buttons: \(error); opening them again")
                    source = nil
                    reported = false
                }
            }
        }
        thread.name = "buttons"
        thread.start()
        return done
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
