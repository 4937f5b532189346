import Foundation

/// The system configuration files the appliance image runs on, rendered from ravebox.yaml by `ravebox setup` at
/// every boot into `/run` (RAM), so the read-only root never changes: the hotspot (hostapd), DHCP and the
/// captive DNS (dnsmasq), the interfaces (systemd-networkd), the home Wi-Fi client (wpa_supplicant) and the
/// firewall (nftables). Pure functions of the configuration, so tests check them directly.
public struct ApplianceFiles: Sendable, Equatable {
    /// The box's address on its hotspot, and the hotspot's network.
    public static let hotspotAddress = "10.42.0.1"
    public static let hotspotPrefixLength = 24
    /// Addresses DHCP hands out on the hotspot.
    public static let dhcpRange = ("10.42.0.20", "10.42.0.250")

    /// File name (in the run folder) → contents. Secrets are in `hostapd-<interface>.conf` and
    /// `wpa_supplicant-<interface>.conf`; the image's unit templates `ravebox-hostapd@<interface>` and
    /// `ravebox-wpa-supplicant@<interface>` read them by name, started by udev when the interface appears.
    /// `hostapd-<interface>.conf` is the configured mode; before hostapd starts, `ravebox hotspot` writes the file
    /// of the same name that hostapd reads into a folder of root's own, for the mode the radio can run
    /// (``RadioCapabilities``).
    public var runFiles: [String: String] = [:]
    /// The interface that joins the home Wi-Fi (`wifi_client_name`), nil when none is configured. Its service
    /// starts when that interface appears, so a second adapter plugged in later is used at once.
    public var clientInterface: String?
    /// File name (in `/run/systemd/network`) → contents: the hotspot's address (on the bridge in OWE mode, with
    /// the bridge's own file) and the home Wi-Fi's DHCP.
    public var networkFiles: [String: String] = [:]

    public init(_ config: BoxConfiguration) {
        let appliance = config.appliance
        if appliance.clientNetworkName != nil {
            // The home network on the second radio when there is a hotspot, else on wlan0.
            clientInterface = appliance.hotspotInterface.map(Self.secondInterface(after:)) ?? "wlan0"
        }
        var hotspot: String?
        if let interface = appliance.hotspotInterface {
            let security = config.hotspotSecurity
            let link = Self.hotspotLink(interface: interface, security: security)
            hotspot = link
            runFiles[Self.hostapdFile(interface)] = Self.hostapd(
                config, interface: interface, security: security, bridge: link == interface ? nil : link)
            runFiles["dnsmasq.conf"] = Self.dnsmasq(config, interface: link)
            networkFiles["10-ravebox-hotspot.network"] = Self.hotspotNetwork(
                interface: link, masquerade: appliance.uplinkForwarding)
            if link != interface { networkFiles[Self.bridgeNetDevFile] = Self.bridgeNetDev }
        }
        if let interface = clientInterface, let name = appliance.clientNetworkName {
            runFiles[Self.wpaSupplicantFile(interface)] = Self.wpaSupplicant(
                name: name, password: appliance.clientNetworkPassword, country: appliance.country)
            networkFiles["20-ravebox-client.network"] = """
                # Written by `ravebox setup` from ravebox.yaml (wifi_client_name): the home Wi-Fi.
                [Match]
                Name=\(interface)

                [Network]
                DHCP=yes

                [Link]
                RequiredForOnline=no

                """
        }
        runFiles["nftables.conf"] = Self.nftables(hotspot: hotspot, forwarding: appliance.uplinkForwarding)
    }

    /// The systemd-networkd files `ravebox setup` may write, so it can remove the ones a new ravebox.yaml drops.
    public static let networkFileNames = ["10-ravebox-hotspot.network", bridgeNetDevFile, "20-ravebox-client.network"]
    static let bridgeNetDevFile = "10-ravebox-hotspot.netdev"

    /// The hotspot's hostapd file for `interface`.
    public static func hostapdFile(_ interface: String) -> String {
        "hostapd-\(interface).conf"
    }

    /// The home Wi-Fi's wpa_supplicant file for `interface`.
    public static func wpaSupplicantFile(_ interface: String) -> String {
        "wpa_supplicant-\(interface).conf"
    }

    /// `wlan0` → `wlan1`: the interface a second radio gets.
    static func secondInterface(after interface: String) -> String {
        let digits = interface.reversed().prefix { $0.isNumber }
        guard let number = Int(String(digits.reversed())) else { return interface + "1" }
        return String(interface.dropLast(digits.count)) + String(number + 1)
    }

    /// Hex of a network name, so any bytes (UTF-8, quotes, `#`) reach hostapd and wpa_supplicant unchanged.
    static func hex(_ text: String) -> String {
        text.utf8.map { String(format: "%02x", $0) }.joined()
    }

    /// The RFC 8908 API address handed out as DHCP option 114 (RFC 8910).
    public static func captivePortalAPI(_ config: BoxConfiguration) -> String {
        "http://\(config.hostname)\(config.port == 80 ? "" : ":\(config.port)")/api/captive-portal"
    }

    static func dnsmasq(_ config: BoxConfiguration, interface: String) -> String {
        var lines = [
            "# Written by `ravebox setup` from ravebox.yaml at boot.",
            "interface=\(interface)",
            "bind-dynamic",
            "no-hosts",
            "dhcp-range=\(dhcpRange.0),\(dhcpRange.1),255.255.255.0,12h",
            "dhcp-option=option:router,\(hotspotAddress)",
            "dhcp-option=option:dns-server,\(hotspotAddress)",
            "dhcp-option=114,\"\(captivePortalAPI(config))\"",
            "dhcp-leasefile=/run/ravebox/dnsmasq.leases",
            "dhcp-authoritative",
        ]
        if config.appliance.uplinkForwarding {
            // Guests may go online: real answers from upstream, only the box's own name is local.
            lines += ["address=/\(config.hostname)/\(hotspotAddress)", "resolv-file=/run/systemd/resolve/resolv.conf"]
        } else {
            // Captive: every name is the box, so any address a phone tries opens the party page.
            lines += ["no-resolv", "address=/#/\(hotspotAddress)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func hotspotNetwork(interface: String, masquerade: Bool) -> String {
        """
        # Written by `ravebox setup` from ravebox.yaml: the hotspot's address.
        [Match]
        Name=\(interface)

        [Network]
        Address=\(hotspotAddress)/\(hotspotPrefixLength)
        ConfigureWithoutCarrier=yes
        \(masquerade ? "IPMasquerade=ipv4\n" : "")
        [Link]
        RequiredForOnline=no

        """
    }

    static func nftables(hotspot: String?, forwarding: Bool) -> String {
        var forward = ["        ct state established,related accept"]
        if forwarding, let hotspot {
            forward.append("        iifname \"\(hotspot)\" accept")
        }
        return """
            # Written by `ravebox setup` from ravebox.yaml: nothing is routed between networks unless
            # uplink_forwarding is on (then guests on the hotspot may go out through the uplink).
            table inet ravebox
            delete table inet ravebox
            table inet ravebox {
                chain forward {
                    type filter hook forward priority filter; policy drop;
            \(forward.joined(separator: "\n"))
                }
            }

            """
    }
}
