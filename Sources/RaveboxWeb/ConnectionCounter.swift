import Synchronization

/// The connections the web process holds, per client address and in all, against ``ConnectionLimits``: the
/// server asks ``open(from:)`` for every accepted connection and closes it at once when refused; every
/// connection let in is given back with ``close(from:)`` when it closes. Called on any event loop.
final class ConnectionCounter: Sendable {
    private struct Counts {
        var total = 0
        /// Open connections per address; an address leaves when its last connection closes.
        var byAddress: [String: Int] = [:]
    }

    private let limits: ConnectionLimits
    private let counts = Mutex(Counts())

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Counts a new connection from `address` (an IP address as text; nil when it has none, such as a Unix
    /// socket's) and returns true, or returns false without counting it when the address or the process is at
    /// its limit.
    func open(from address: String?) -> Bool {
        let capped = address.map { limits.limitsLoopback || !Sessions.isLoopback($0) } ?? false
        return counts.withLock { counts in
            guard counts.total < limits.total else { return false }
            if let address {
                let held = counts.byAddress[address, default: 0]
                if capped && held >= limits.perAddress { return false }
                counts.byAddress[address] = held + 1
            }
            counts.total += 1
            return true
        }
    }

    /// Gives back a connection that ``open(from:)`` let in.
    func close(from address: String?) {
        counts.withLock { counts in
            counts.total -= 1
            guard let address, let held = counts.byAddress[address] else { return }
            counts.byAddress[address] = held > 1 ? held - 1 : nil
        }
    }

    /// Connections open now, in all.
    var total: Int { counts.withLock { $0.total } }

    /// Connections open now from `address`.
    func connections(from address: String) -> Int { counts.withLock { $0.byAddress[address, default: 0] } }

    /// Addresses with a connection open now.
    var addresses: Int { counts.withLock { $0.byAddress.count } }
}
