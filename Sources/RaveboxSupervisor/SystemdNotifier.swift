import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd how the service is doing (`sd_notify(3)`): `READY=1` once the box answers, `WATCHDOG=1`
/// pings for `WatchdogSec=`, `STATUS=` lines for `systemctl status`, `STOPPING=1` on the way out.
///
/// Datagrams go to the socket named by `$NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace).
/// Without that variable (not started by systemd, or not `Type=notify`) there is no notifier.
public final class SystemdNotifier: Sendable {
    /// The socket's address as given (for messages).
    public let socketPath: String
    /// How often systemd wants a watchdog ping (half of `$WATCHDOG_USEC`), nil when the watchdog is off or
    /// meant for another process (`$WATCHDOG_PID`).
    public let watchdogInterval: Double?
    private let descriptor: Int32

    /// The notifier the environment asks for, or nil.
    public convenience init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        var interval: Double?
        if let text = environment["WATCHDOG_USEC"], let usec = Double(text), usec > 0 {
            let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
            if forUs { interval = usec / 1e6 / 2 }
        }
        self.init(socketPath: path, watchdogInterval: interval)
    }

    /// A notifier that sends to `socketPath`.
    public init?(socketPath: String, watchdogInterval: Double?) {
        guard socketPath.hasPrefix("/") || socketPath.hasPrefix("@"),
            socketPath.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.socketPath = socketPath
        self.watchdogInterval = watchdogInterval
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Sends one notification, e.g. `"READY=1\nSTATUS=Playing"`. Returns whether it was sent.
    @discardableResult
    public func send(_ state: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, socketAddress, length) }
            }
        }
        return sent == message.count
    }
}
