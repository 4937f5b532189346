import Foundation

/// Who counts as one voter: the rule that turns a session and a device into the key votes are stored
/// under.
///
/// With `oneVotePerDevice` (on by default) a voter is their device: a second browser or a cleared cookie
/// on the same phone does not get a second vote. The device is the client's IP address, or on the box's
/// own hotspot its MAC address from the ARP table, which survives a DHCP renewal. Behind a proxy every
/// guest shares one address, so the admin turns the setting off and a voter is their session cookie.
/// When the device is unknown, the session is used even with the setting on.
///
/// Keys are prefixed (`device:`, `session:`) so a session id can never collide with an address.
public enum Voter {
    /// The key to store votes, requests and play counts under.
    ///
    /// - Parameters:
    ///   - session: the guest's session id (from the cookie).
    ///   - device: the client's MAC (`aa:bb:cc:dd:ee:ff`) or IP address, or `nil` when unknown.
    ///   - oneVotePerDevice: the setting of the same name.
    public static func key(session: String, device: String?, oneVotePerDevice: Bool) -> String {
        if oneVotePerDevice, let device = normalizedDevice(device) {
            return "device:" + device
        }
        return "session:" + session
    }

    /// Lower-cases MACs and IPv6 addresses, unwraps IPv4-mapped IPv6 (`::ffff:10.0.0.7` → `10.0.0.7`, the
    /// same phone seen through a dual-stack socket) and trims whitespace; `nil` for nothing usable.
    static func normalizedDevice(_ device: String?) -> String? {
        guard var text = device?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !text.isEmpty else {
            return nil
        }
        if text.hasPrefix("::ffff:"), text.dropFirst(7).contains(".") {
            text = String(text.dropFirst(7))
        }
        return text
    }
}
