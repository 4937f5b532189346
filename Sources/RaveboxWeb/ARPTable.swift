import Foundation

/// The kernel's ARP table (`/proc/net/arp`): on the box's own hotspot a guest's phone is known by its
/// MAC address, which stays the same when it switches browsers or clears cookies, so one vote per
/// device holds. Clients that are not on a local link (behind a router) are known by their IP instead.
public enum ARPTable {
    /// The MAC address for `ip` in a table in `/proc/net/arp` format, lower-cased; `nil` when the entry
    /// is missing or incomplete.
    public static func mac(for ip: String, in table: String) -> String? {
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // IP address, HW type, Flags, HW address, Mask, Device
            guard fields.count >= 4, fields[0] == ip else { continue }
            let flags = Int(fields[2].dropFirst(2), radix: 16) ?? 0
            let mac = fields[3].lowercased()
            // ATF_COM (0x2): the entry is complete; an all-zero address is a pending lookup.
            guard flags & 0x2 != 0, mac != "00:00:00:00:00:00" else { return nil }
            return mac
        }
        return nil
    }

    /// The device key for a client: its MAC from this machine's ARP table when it is on a local link,
    /// else its IP address.
    public static func device(for ip: String?) -> String? {
        guard let ip else { return nil }
        guard let table = try? String(contentsOfFile: "/proc/net/arp", encoding: .utf8) else { return ip }
        return mac(for: ip, in: table) ?? ip
    }
}
