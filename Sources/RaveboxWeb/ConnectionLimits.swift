import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many connections the web process holds, for how long, and how large a request head may be. The box's Wi-Fi
/// is open, so a stranger can open connections and never finish a request; these numbers keep that from starving
/// the phones at the party.
///
/// ```swift
/// let limits = ConnectionLimits.box.fitted(toDescriptorLimit: ConnectionLimits.raiseDescriptorLimit())
/// let app = web.application(host: "0.0.0.0", port: 80, limits: limits)
/// ```
public struct ConnectionLimits: Sendable {
    /// Connections one address may hold at once; more are closed as soon as they are accepted. A phone's browser
    /// opens at most 6 connections to the box, plus its WebSockets (`/api/live`, `/api/live/spectrum`) and the
    /// system's captive-portal probes: about a dozen. On the box every phone has its own address.
    public var perAddress = 32
    /// Whether ``perAddress`` applies to loopback addresses too. Off on the box: only the box's own programs
    /// and benchmarks connect from there (a benchmark opens hundreds), never a guest; ``total`` still applies.
    public var limitsLoopback = false
    /// Connections the process holds at once, whoever opened them; more are closed as soon as they are accepted.
    /// Below the process's file-descriptor limit (see ``fitted(toDescriptorLimit:)``), so the store, uploads and
    /// yt-dlp always find a descriptor.
    public var total = 2048
    /// How long the first request of a connection may take to send its whole head (request line and headers):
    /// then it is answered 408 and closed (slowloris). A phone sends its head in one packet.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// How long a connection may stay silent: between requests (keep-alive) and between the parts of a request's
    /// body. Hummingbird closes it then (HTTP only; WebSockets have ``webSocketPing``).
    public var idleTimeout: Duration = .seconds(30)
    /// The longest request line (method, address, version) of a connection's first request; a longer one is
    /// answered 414. RFC 9112 asks servers to take at least 8000 bytes.
    public var requestLineBytes = 8 * 1024
    /// The largest request head (request line and headers), and the largest single header; larger is answered 431.
    /// The box's requests carry one small cookie.
    public var headBytes = 16 * 1024
    /// The most headers one request may have.
    public var headerFields = 100
    /// How often a WebSocket is pinged; one that has not answered the previous ping by the next is closed.
    public var webSocketPing: Duration = .seconds(30)
    /// How long a WebSocket closing handshake may take before the connection is dropped.
    public var webSocketCloseTimeout: Duration = .seconds(10)
    /// After answering a malformed or late request, how long the connection keeps reading (and dropping) what the
    /// client still sends before it is closed, so that the client reads the answer instead of a reset.
    public var linger: Duration = .seconds(2)

    /// The box's limits, before ``fitted(toDescriptorLimit:)``.
    public static let box = ConnectionLimits()

    /// File descriptors the web process asks for: the image's unit sets `LimitNOFILE=4096`.
    public static let descriptorsWanted = 4096
    /// Descriptors kept for everything but connections: the store's SQLite files, the shared segment, event
    /// loops, uploads and downloads, yt-dlp's pipes (about a hundred at the most).
    public static let descriptorsKept = 256

    /// These limits with ``total`` lowered to leave ``descriptorsKept`` of `limit` descriptors free.
    public func fitted(toDescriptorLimit limit: Int) -> ConnectionLimits {
        var fitted = self
        fitted.total = max(1, min(total, limit - Self.descriptorsKept))
        return fitted
    }

    /// Raises the process's soft limit on open files towards `wanted` (never above the hard limit, never lower),
    /// and returns the soft limit now in force. systemd starts services with a soft limit of 1024 unless the unit
    /// says otherwise, and so do most desktop sessions.
    public static func raiseDescriptorLimit(to wanted: Int = descriptorsWanted) -> Int {
        var limit = rlimit()
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return descriptorsKept * 2 }
        let target = min(rlim_t(wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
