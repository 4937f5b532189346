import Atomics

/// Stops the process when two threads use one single-producer or single-consumer endpoint at the same time.
///
/// The rings are single-producer/single-consumer *across processes*; inside a process nothing stops two tasks
/// from pushing at once, which would silently corrupt the ring. This is not a lock: `enter()` never waits, it
/// only turns that programming error into an immediate, named crash (two uncontended atomic operations).
final class EndpointTripwire: Sendable {
    private let endpoint: StaticString
    private let busy = ManagedAtomic<Bool>(false)

    init(_ endpoint: StaticString) {
        self.endpoint = endpoint
    }

    @inline(__always)
    func enter() {
        if busy.exchange(true, ordering: .acquiring) {
            preconditionFailure(
                "\(endpoint) called from two threads at once: it is single-producer/single-consumer; "
                    + "serialise the calls (one thread, or one actor that owns them)")
        }
    }

    @inline(__always)
    func leave() {
        busy.store(false, ordering: .releasing)
    }
}
