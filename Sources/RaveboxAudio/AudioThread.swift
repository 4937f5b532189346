import CRaveboxSys

#if canImport(Glibc)
    import Glibc
#endif

/// Starts and joins the player's dedicated POSIX threads (decoder, output).
///
/// Real threads rather than tasks: the output thread must run on its own schedule (SCHED_FIFO, blocking in
/// ALSA), which Swift concurrency's cooperative pool is not made for.
enum AudioThread {
    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Starts a thread named `name` (≤ 15 bytes, shown by `top -H`) running `body`. Returns nil if the system
    /// refuses to create a thread.
    static func start(name: String, body: @escaping @Sendable () -> Void) -> pthread_t? {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                rb_set_thread_name(body.name)
                body.run()
                return nil
            },
            context
        )
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    /// Waits for `thread` to end.
    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}
