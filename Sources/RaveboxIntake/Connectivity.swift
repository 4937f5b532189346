import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether the box has an uplink to the internet, found by opening a TCP connection to a known host.
///
/// ```swift
/// let connectivity = Connectivity(host: "1.1.1.1", port: 443)
/// if case .offline(let why) = await connectivity.current() { logger.info("offline: \(why)") }
/// ```
///
/// `current()` answers from the last check while it is younger than `recheckInterval` and checks again
/// otherwise; `check()` always checks. Concurrent callers share one check. Like Raveberry's
/// `connectivity_host` setting, the host "localhost" means "always online" and "" means "always offline".
public actor Connectivity {
    /// What the last check found.
    public enum State: Sendable, Equatable, CustomStringConvertible {
        /// Not checked yet.
        case unknown
        /// The host answered.
        case online
        /// It did not; why, for the log ("connection refused", "timed out after 2 s", "cannot resolve ...").
        case offline(String)

        /// Whether the box is online (`unknown` counts as not online).
        public var isOnline: Bool { self == .online }

        /// "online", "offline (why)", "unknown", for the log.
        public var description: String {
            switch self {
            case .unknown: "unknown"
            case .online: "online"
            case .offline(let why): "offline (\(why))"
            }
        }
    }

    /// The host to connect to: a name or an address; "localhost" forces online, "" forces offline.
    public nonisolated let host: String
    /// Its TCP port.
    public nonisolated let port: Int
    /// How long one check may take, name resolution included.
    public nonisolated let timeout: Duration
    /// How long a result is reused by `current()`.
    public nonisolated let recheckInterval: Duration

    /// The result of the last check.
    public private(set) var state: State = .unknown
    private var checkedAt: ContinuousClock.Instant?
    private var running: Task<State, Never>?

    /// A connectivity check against `host:port`.
    public init(
        host: String = "1.1.1.1", port: Int = 443, timeout: Duration = .seconds(2),
        recheckInterval: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.recheckInterval = recheckInterval
    }

    /// The last result while it is younger than `recheckInterval`, else a fresh check.
    public func current() async -> State {
        if let checkedAt, checkedAt.duration(to: .now) < recheckInterval, state != .unknown { return state }
        return await check()
    }

    /// Checks now (joining a check already under way) and returns the result.
    public func check() async -> State {
        if let running { return await running.value }
        let host = host
        let port = port
        let timeout = timeout
        let task = Task { await Connectivity.probe(host: host, port: port, timeout: timeout) }
        running = task
        let result = await task.value
        running = nil
        state = result
        checkedAt = .now
        return result
    }

    /// One connection attempt, bounded by `timeout` even when name resolution hangs.
    static func probe(host: String, port: Int, timeout: Duration) async -> State {
        switch host.trimmingCharacters(in: .whitespaces) {
        case "": return .offline("no connectivity host configured")
        case "localhost": return .online
        default: break
        }
        let once = PendingAnswer()
        return await withCheckedContinuation { continuation in
            once.continuation.withLock { $0 = continuation }
            let finish: @Sendable (State) -> Void = { state in
                once.continuation.withLock { pending in
                    pending?.resume(returning: state)
                    pending = nil
                }
            }
            let deadline = ContinuousClock.now.advanced(by: timeout)
            let thread = Thread { finish(attempt(host: host, port: port, deadline: deadline)) }
            thread.name = "connectivity"
            thread.start()
            Task {
                try? await Task.sleep(until: deadline.advanced(by: .milliseconds(50)), clock: .continuous)
                finish(.offline("\(host):\(port): no answer within \(timeout)"))
            }
        }
    }

    /// Resolves `host` and tries a non-blocking connect to each address until `deadline`. Blocking.
    private static func attempt(host: String, port: Int, deadline: ContinuousClock.Instant) -> State {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .offline("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            defer { close(fd) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return .online }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                continue
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            let milliseconds = Int32(
                max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, milliseconds) == 1 else {
                lastError = "timed out"
                continue
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code == 0 { return .online }
            lastError = String(cString: strerror(code))
        }
        return .offline("\(host):\(port): \(lastError)")
    }
}

/// The continuation of one ``Connectivity/probe(host:port:timeout:)``, resumed by whichever of the attempt and
/// the timer ends first; the other finds it gone.
private final class PendingAnswer: Sendable {
    let continuation = Mutex<CheckedContinuation<Connectivity.State, Never>?>(nil)
}
