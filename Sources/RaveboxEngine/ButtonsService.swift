import Atomics
import Foundation
import Logging
import RaveboxButtons
import RaveboxCore
import ServiceLifecycle

/// The box's buttons as a service: reads the GPIO lines on their own thread and hands what they ask for to
/// the engine (``Engine/perform(_:)``) until graceful shutdown. Without buttons it returns at once.
///
/// A chip that cannot be opened gets one log line naming it and what to check, and is tried again every
/// ``retryInterval`` seconds; the engine runs without buttons meanwhile.
public struct ButtonsService: Service {
    /// Seconds between attempts to open the buttons' chip.
    static let retryInterval = 5.0

    let setting: ButtonsSetting
    let engine: Engine
    let logger: Logger

    public init(setting: ButtonsSetting, engine: Engine, logger: Logger) {
        self.setting = setting
        self.engine = engine
        self.logger = logger
    }

    public func run() async {
        let mapping: ButtonMapping
        do {
            guard let configured = try ButtonMapping.resolve(setting) else { return }
            mapping = configured
        } catch {
            logger.error("buttons: the buttons mapping in ravebox.yaml is not valid: \(error); no buttons")
            return
        }
        let stop = ManagedAtomic(false)
        let (engine, logger) = (engine, logger)
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    Self.read(mapping, into: engine, until: stop, logger: logger)
                    continuation.resume()
                }
                thread.name = "buttons"
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            stop.store(true, ordering: .releasing)
        }
    }

    /// The buttons thread. The chip is opened on it, and it alone uses it; one that is missing or refuses at
    /// first (udev not done with its permissions yet, an expander that comes later) is tried again.
    private static func read(
        _ mapping: ButtonMapping, into engine: Engine, until stop: ManagedAtomic<Bool>, logger: Logger
    ) {
        var source: GPIOButtons?
        var nextTry = 0.0
        var reported = false
        while !stop.load(ordering: .acquiring) {
            guard let buttons = source else {
                let now = Date().timeIntervalSince1970
                if now >= nextTry {
                    nextTry = now + retryInterval
                    do {
                        source = try GPIOButtons(mapping: mapping)
                        logger.info("buttons on \(mapping.chip)")
                    } catch {
                        if !reported {
                            logger.notice("buttons: \(error); trying again every \(Int(retryInterval)) s")
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
}
