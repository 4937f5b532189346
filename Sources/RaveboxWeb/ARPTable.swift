import Foundation
import Synchronization

/// The kernel's ARP table (`/proc/net/arp`): on the box's own hotspot a guest's phone is known by its
/// MAC address, which stays the same when it switches browsers or clears cookies, so one vote per
/// device holds. Clients that are not on a local link (behind a router) are known by their IP instead.
public enum ARPTable {
    /// The MAC address of each complete entry of a table in `/proc/net/arp` format, lower-cased, by IP
    /// address. Incomplete entries (a pending lookup, an all-zero address) are left out.
    public static func macs(in table: String) -> [String: String] {
        var macs: [String: String] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // IP address, HW type, Flags, HW address, Mask, Device
            guard fields.count >= 4 else { continue }
            let flags = Int(fields[2].dropFirst(2), radix: 16) ?? 0
            let mac = fields[3].lowercased()
            // ATF_COM (0x2): the entry is complete; an all-zero address is a pending lookup.
            guard flags & 0x2 != 0, mac != "00:00:00:00:00:00" else { continue }
            macs[String(fields[0])] = mac
        }
        return macs
    }

    /// The device key for a client: its MAC from this machine's ARP table when it is on a local link,
    /// else its IP address.
    public static func device(for ip: String?) -> String? {
        ARPCache.kernel.device(for: ip)
    }
}

/// The ARP table, read again only when it may have changed for the client asking: a phone on the link is
/// in the table before its first request arrives (the kernel had to find its MAC to answer its connection),
/// so a client missing from the table read last makes the next read, and a client found is found again
/// without one for ``maxAge``. Loopback clients have no entry and never cost a read. Every request used to read
/// and parse the whole table; at a party of 200 phones that is 200 lines per vote.
public final class ARPCache: Sendable {
    /// This machine's table.
    public static let kernel = ARPCache(path: "/proc/net/arp")

    /// How long an address found stays trusted before the table is read again (a DHCP lease may pass an
    /// address to another phone; the kernel's entries for a quiet phone last about a minute).
    static let maxAge: Duration = .seconds(10)

    private struct Snapshot {
        var macs: [String: String] = [:]
        var readAt: ContinuousClock.Instant?
    }

    private let path: String
    private let snapshot = Mutex(Snapshot())

    public init(path: String) {
        self.path = path
    }

    /// The device key for a client: its MAC address when the table has a complete entry for it, else its IP
    /// address (`nil` without one).
    public func device(for ip: String?) -> String? {
        guard let ip else { return nil }
        if Sessions.isLoopback(ip) { return ip }
        let now = ContinuousClock.now
        let cached = snapshot.withLock { snapshot -> String? in
            guard let readAt = snapshot.readAt, now - readAt < Self.maxAge else { return nil }
            return snapshot.macs[ip]
        }
        if let cached { return cached }
        guard let table = try? String(contentsOfFile: path, encoding: .utf8) else { return ip }
        let macs = ARPTable.macs(in: table)
        snapshot.withLock { $0 = Snapshot(macs: macs, readAt: now) }
        return macs[ip] ?? ip
    }
}
