#if canImport(Glibc)
    import Glibc
#endif

/// A value guarded by a pthread mutex, for state the player's API and its decoder thread share.
///
/// Never used on the output thread (which only touches atomics). `Synchronization.Mutex` would do the same but
/// needs macOS 15 on Apple platforms, which the package's `platforms` does not require.
public final class Locked<State>: @unchecked Sendable {
    // @unchecked Sendable: `state` is only read or written inside `withLock`, which holds `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    public init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the state.
    public func withLock<Result, Failure: Error>(
        _ body: (inout State) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
