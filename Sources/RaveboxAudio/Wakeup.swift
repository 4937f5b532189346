import CRaveboxSys

#if canImport(Glibc)
    import Glibc
#endif

/// A POSIX semaphore used to wake a sleeping player thread early ("a command arrived", "the ring was flushed").
///
/// `signal()` never blocks and takes no lock (a futex wake at most), so it may be called from the output
/// thread; `wait` is for threads at rest (idle, paused, waiting for data), never for the steady-state loop.
final class Wakeup: @unchecked Sendable {
    // @unchecked Sendable: a sem_t is made to be shared between threads; its memory never moves (heap).
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        semaphore.initialize(to: sem_t())
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deinitialize(count: 1)
        semaphore.deallocate()
    }

    /// Wakes one waiter (or the next `wait`, if nobody waits now).
    func signal() {
        sem_post(semaphore)
    }

    /// Sleeps until `signal()` or `nanoseconds` have passed, whichever comes first.
    func wait(nanoseconds: Int64) {
        _ = rb_semaphore_wait(semaphore, nanoseconds)
    }
}
