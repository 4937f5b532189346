import Atomics
import Foundation
import Logging
import ServiceLifecycle

/// The engine's control loop as a service: runs ``Engine/run(until:)`` on its own thread (the loop owns the
/// playback state and never awaits) until graceful shutdown, then lets it save the position and stop the
/// player. An engine that ends by itself (a stuck audio thread) ends the service with its error.
public struct EngineService: Service {
    let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    public func run() async throws {
        let stop = ManagedAtomic(false)
        let engine = engine
        try await withTaskCancellationOrGracefulShutdownHandler {
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
        } onCancelOrGracefulShutdown: {
            stop.store(true, ordering: .releasing)
        }
    }
}
