import Synchronization

/// Bounds the online requests the box works on at once: each runs yt-dlp (a lookup, then a download) or fetches
/// from Jamendo, and a party of phones asking at once would otherwise start as many processes as there are taps.
///
/// ```swift
/// let limiter = OnlineRequestLimiter()
/// let slot = try await limiter.admit(guest: voterKey)   // waits its turn; or throws Busy
/// defer { slot.release() }
/// let found = try await chain.request(query)            // at most `running` of these at once
/// ```
///
/// At most `Limits.running` requests run box-wide and each guest has at most one in flight (running or waiting).
/// A request that cannot run yet waits in a queue of at most `Limits.waiting`, in order of arrival, for at most
/// `Limits.longestWait`. A guest who already has one in flight, a full queue and a wait that runs out are refused
/// with ``Busy``, which says when to try again, estimated from the requests running now. A waiting request whose
/// task is cancelled leaves the queue at once. Nothing here blocks: the state is behind one `Mutex`, held only
/// for bookkeeping and never across an `await`; waiters are resumed after it is released. Safe to share.
public final class OnlineRequestLimiter: Sendable {
    /// How many requests run and wait, and how long they take.
    public struct Limits: Sendable, Equatable {
        /// Requests running at once, box-wide. One yt-dlp is a Python process of 60–100 MB that keeps a core busy
        /// for seconds while it starts and reads YouTube's page: two leave the other two cores of a Pi to the
        /// player, the lights and the web, and fit in a Pi 3's 1 GB.
        public var running: Int
        /// Requests waiting for one of those, one per guest. At about 10–20 s a request on a Pi the sixth starts
        /// within a minute; more would only wait to be told the box is busy.
        public var waiting: Int
        /// The longest a request waits for its turn before it is refused as busy: about as long as a guest
        /// watches a spinner.
        public var longestWait: Duration
        /// How long a request is taken to run before any has finished; then the estimate follows the requests
        /// that finish.
        public var typicalRequest: Duration

        /// The limits; the defaults suit a Raspberry Pi.
        public init(
            running: Int = 2, waiting: Int = 6, longestWait: Duration = .seconds(60),
            typicalRequest: Duration = .seconds(20)
        ) {
            self.running = max(1, running)
            self.waiting = max(0, waiting)
            self.longestWait = longestWait
            self.typicalRequest = typicalRequest
        }
    }

    /// The box cannot take this guest's request now.
    public struct Busy: Error, Sendable, Equatable {
        /// Whole seconds after which trying again may succeed; at least 1.
        public var retryAfter: Int
        /// Why, for the log.
        public var details: String

        /// One sentence for the guest.
        public var reason: String { "The box is busy fetching songs: try again in \(retryAfter) s." }
    }

    /// One running request's place; give it back with `release()` when the request is done, whatever happened.
    public final class Slot: Sendable {
        let id: UInt64
        private let limiter: OnlineRequestLimiter

        init(id: UInt64, limiter: OnlineRequestLimiter) {
            self.id = id
            self.limiter = limiter
        }

        /// Frees the place for the next waiting request. Calling it again does nothing; a slot dropped without
        /// it is released too.
        public func release() { limiter.release(id) }

        deinit { limiter.release(id) }
    }

    struct Running {
        var guest: String
        var started: ContinuousClock.Instant
    }

    struct Waiter {
        var id: UInt64
        var guest: String
        var continuation: CheckedContinuation<Slot, any Error>
        /// Refuses the waiter when `longestWait` has passed; cancelled when it leaves the queue.
        var timer: Task<Void, Never>?
    }

    struct State {
        var nextID: UInt64 = 0
        var running: [UInt64: Running] = [:]
        var waiting: [Waiter] = []
        /// How long a request runs, averaged over the last few.
        var typical: Duration
    }

    /// The limits this limiter keeps.
    public let limits: Limits
    private let state: Mutex<State>
    private let clock = ContinuousClock()

    /// A limiter with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
        state = Mutex(State(typical: limits.typicalRequest))
    }

    /// Requests running and waiting now.
    public var usage: (running: Int, waiting: Int) {
        state.withLock { ($0.running.count, $0.waiting.count) }
    }

    /// A place for `guest`'s request: at once when fewer than `limits.running` run, else after waiting its turn.
    /// - Throws: ``Busy`` when `guest` already has a request in flight, the queue is full or the wait ran past
    ///   `limits.longestWait`; `CancellationError` when the task is cancelled while it waits.
    public func admit(guest: String) async throws -> Slot {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Slot, any Error>) in
                enum Outcome {
                    case granted
                    case queued
                    case refused(any Error)
                }
                let outcome = state.withLock { state -> Outcome in
                    guard !Task.isCancelled else { return .refused(CancellationError()) }
                    let now = clock.now
                    if let busy = busy(guest: guest, in: state, now: now) { return .refused(busy) }
                    if state.running.count < limits.running {
                        state.running[id] = Running(guest: guest, started: now)
                        return .granted
                    }
                    guard state.waiting.count < limits.waiting else {
                        let wait = freeTimes(state, now: now).first ?? state.typical
                        return .refused(
                            Busy(
                                retryAfter: Self.seconds(wait),
                                details: "\(state.running.count) online requests running, \(limits.waiting) waiting"))
                    }
                    state.waiting.append(Waiter(id: id, guest: guest, continuation: continuation))
                    return .queued
                }
                switch outcome {
                case .granted: continuation.resume(returning: Slot(id: id, limiter: self))
                case .refused(let error): continuation.resume(throwing: error)
                case .queued: startTimer(for: id)
                }
            }
        } onCancel: {
            withdraw(id) { _, _ in CancellationError() }
        }
    }

    /// Refuses waiter `id` as busy once it has waited `limits.longestWait`.
    private func startTimer(for id: UInt64) {
        let wait = limits.longestWait
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: wait)) != nil, let self else { return }
            withdraw(id) { state, now in
                let position = state.waiting.firstIndex { $0.id == id } ?? 0
                return Busy(
                    retryAfter: Self.seconds(self.start(ofWaiting: position, in: state, now: now)),
                    details: "waited \(wait) for one of \(self.limits.running) online requests to finish")
            }
        }
        let stillWaiting = state.withLock { state in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return false }
            state.waiting[index].timer = timer
            return true
        }
        if !stillWaiting { timer.cancel() }
    }

    /// Takes waiter `id` out of the queue, if it is still there, and throws `error` to it.
    private func withdraw(_ id: UInt64, error: (State, ContinuousClock.Instant) -> any Error) {
        let removed = state.withLock { state -> (Waiter, any Error)? in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            let failure = error(state, clock.now)
            return (state.waiting.remove(at: index), failure)
        }
        guard let (waiter, failure) = removed else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: failure)
    }

    /// Ends running request `id` and hands its place to the first waiter.
    private func release(_ id: UInt64) {
        let next = state.withLock { state -> Waiter? in
            guard let run = state.running.removeValue(forKey: id) else { return nil }
            let now = clock.now
            state.typical = (state.typical * 3 + run.started.duration(to: now)) / 4
            guard !state.waiting.isEmpty else { return nil }
            let next = state.waiting.removeFirst()
            state.running[next.id] = Running(guest: next.guest, started: now)
            return next
        }
        guard let next else { return }
        next.timer?.cancel()
        next.continuation.resume(returning: Slot(id: next.id, limiter: self))
    }

    // MARK: Estimates

    /// A request that runs past its estimate is taken to end soon: its guest may try again after this.
    static let shortestRetry = Duration.seconds(5)

    /// Why `guest` must wait, when a request of theirs is already in flight: until it would be done.
    private func busy(guest: String, in state: State, now: ContinuousClock.Instant) -> Busy? {
        if let run = state.running.values.first(where: { $0.guest == guest }) {
            return Busy(
                retryAfter: Self.seconds(remaining(run, typical: state.typical, now: now)),
                details: "this guest's online request is running")
        }
        if let position = state.waiting.firstIndex(where: { $0.guest == guest }) {
            let done = start(ofWaiting: position, in: state, now: now) + state.typical
            return Busy(retryAfter: Self.seconds(done), details: "this guest's online request is waiting")
        }
        return nil
    }

    /// How long until the waiter at `position` starts: when enough running requests have ended.
    private func start(ofWaiting position: Int, in state: State, now: ContinuousClock.Instant) -> Duration {
        let free = freeTimes(state, now: now)
        guard !free.isEmpty else { return .zero }
        return free[position % free.count] + state.typical * (position / free.count)
    }

    /// How long until each running request ends, soonest first.
    private func freeTimes(_ state: State, now: ContinuousClock.Instant) -> [Duration] {
        state.running.values.map { remaining($0, typical: state.typical, now: now) }.sorted()
    }

    private func remaining(_ run: Running, typical: Duration, now: ContinuousClock.Instant) -> Duration {
        max(typical - run.started.duration(to: now), Self.shortestRetry)
    }

    /// Whole seconds, rounded up, at least 1.
    static func seconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
