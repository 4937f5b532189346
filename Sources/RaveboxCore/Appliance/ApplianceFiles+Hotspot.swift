import Foundation

/// The hotspot's hostapd file for each ``WiFiSecurity`` mode.
///
/// Nothing typed into ravebox.yaml reaches hostapd in a form that could start a line of its own: network names go
/// as hex (`ssid2=`), and a password only after ``WiFiPassword/hotspotProblem(_:)`` found no line break or other
/// control character in it (hostapd takes the rest of the line after `wpa_passphrase=` as it is).
extension ApplianceFiles {
    /// The bridge that joins the two access points of OWE transition mode (hostapd adds both to it), so guests on
    /// either are on one network with the box at ``hotspotAddress``.
    public static let hotspotBridge = "hotspot0"

    /// The network interface the box's hotspot address, DHCP and firewall rules are on: the bridge in OWE mode,
    /// else the Wi-Fi interface itself. Chosen from the configured mode, so a radio that falls back from OWE to an
    /// open network keeps the same network set-up.
    public static func hotspotLink(interface: String, security: WiFiSecurity) -> String {
        security == .owe ? hotspotBridge : interface
    }

    /// The interface hostapd creates for the OWE access point beside `interface`'s open one (at most 15 bytes, and
    /// not named `wlan*`, so udev starts no hotspot or client service for it).
    public static func oweInterface(_ interface: String) -> String {
        String(("owe-" + interface).prefix(15))
    }

    /// The hidden network name of the OWE access point: the open network's name (shortened to fit) with `-owe`.
    static func oweNetworkName(_ name: String) -> String {
        var short = ""
        for character in name where short.utf8.count + String(character).utf8.count <= 28 {
            short.append(character)
        }
        return short + "-owe"
    }

    /// The hostapd file for the hotspot on `interface` running `security`; `bridge` when the hotspot's network is
    /// a bridge (OWE, also after falling back to an open network), and the OWE access point's own address
    /// (`oweBSSID`, locally administered, from the radio's) when known.
    public static func hostapd(
        _ config: BoxConfiguration, interface: String, security: WiFiSecurity, bridge: String? = nil,
        oweBSSID: String? = nil
    ) -> String {
        let name = config.wifiName ?? "Ravebox"
        var lines = [
            "# Written by `ravebox` from ravebox.yaml (wifi_security: \(security.rawValue)); edit ravebox.yaml on the "
                + "boot partition instead.",
            "interface=\(interface)",
            "driver=nl80211",
            "ctrl_interface=/run/hostapd",
            "hw_mode=g",
            "channel=6",
            "ieee80211n=1",
            "wmm_enabled=1",
        ]
        if let country = config.appliance.country {
            lines += ["country_code=\(country)", "ieee80211d=1"]
        }
        lines += accessPoint(name: name, hidden: false, bridge: bridge)
        switch security {
        case .open:
            break
        case .owe:
            let owe = oweInterface(interface)
            lines += [
                "owe_transition_ifname=\(owe)",
                "",
                "# Enhanced Open: the same network, encrypted, for phones that know OWE (they find it through the open one).",
                "bss=\(owe)",
            ]
            if let oweBSSID { lines.append("bssid=\(oweBSSID)") }
            lines += accessPoint(name: oweNetworkName(name), hidden: true, bridge: bridge)
            lines += [
                "wpa=2", "wpa_key_mgmt=OWE", "rsn_pairwise=CCMP", "ieee80211w=2", "owe_transition_ifname=\(interface)",
            ]
        case .wpa2, .wpa3:
            lines += ["wpa=2", "rsn_pairwise=CCMP"]
            lines +=
                security == .wpa3
                ? ["wpa_key_mgmt=WPA-PSK SAE", "ieee80211w=1", "sae_require_mfp=1"] : ["wpa_key_mgmt=WPA-PSK"]
            // Without a password hostapd refuses to start: better no hotspot than an open one nobody chose.
            if let password = config.hotspotPassword, WiFiPassword.hotspotProblem(password) == nil {
                lines.append("wpa_passphrase=\(password)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines every access point has: its name (as hex, so any bytes reach hostapd unchanged) and bridge.
    private static func accessPoint(name: String, hidden: Bool, bridge: String?) -> [String] {
        ["ssid2=\(hex(name))", "utf8_ssid=1", "auth_algs=1", "ignore_broadcast_ssid=\(hidden ? 1 : 0)"]
            + (bridge.map { ["bridge=\($0)"] } ?? [])
    }

    /// The bridge's systemd-networkd definition (OWE mode).
    static let bridgeNetDev = """
        # Written by `ravebox setup` from ravebox.yaml (wifi_security: owe): the bridge that joins the hotspot's
        # open and OWE access points; hostapd adds them.
        [NetDev]
        Name=\(hotspotBridge)
        Kind=bridge

        """

    /// A locally administered address for the OWE access point from the radio's (`02:00:00:00:00:00` →
    /// `02:00:00:00:00:01`): the local bit set and the last bit flipped, so it differs from the open one's.
    public static func oweBSSID(radio address: String) -> String? {
        let bytes = address.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        guard bytes.count == 6 else { return nil }
        var owe = bytes
        owe[0] |= 0x02
        owe[5] ^= 0x01
        return owe.map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    /// The home Wi-Fi's wpa_supplicant file. The network name goes as hex and the password as the network's
    /// key (``WPAKey``), so a `"`, `#` or anything else in either reaches wpa_supplicant intact.
    static func wpaSupplicant(name: String, password: String?, country: String?) -> String {
        var lines = [
            "# Written by `ravebox setup` from ravebox.yaml (wifi_client_name).", "ctrl_interface=/run/wpa_supplicant",
        ]
        if let country { lines.append("country=\(country)") }
        lines += ["network={", "    ssid=\(hex(name))"]
        if let password, WiFiPassword.clientProblem(password) == nil {
            let key =
                WiFiPassword.isHexKey(password)
                ? password.lowercased() : WPAKey.hex(passphrase: password, ssid: Array(name.utf8))
            lines.append("    psk=\(key)")
        } else if password == nil {
            lines.append("    key_mgmt=NONE")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
