import Foundation
import RaveboxCore
import Testing

@Suite struct WiFiSecurityTests {
    func box(_ yaml: String) throws -> BoxConfiguration {
        try BoxConfiguration.resolve(
            flags: ConfigurationLayer(), environment: [:], readFile: { _ in yaml }, defaultMode: .box)
    }

    func hostapd(_ yaml: String) throws -> [String] {
        let file = try #require(ApplianceFiles(try box(yaml)).runFiles["hostapd-wlan0.conf"])
        return file.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func theBoxDefaultsToOWEAndAPasswordAloneStillMeansWPA2() throws {
        #expect(try box("").hotspotSecurity == .owe)
        #expect(try box("wifi_password: \"\"").hotspotSecurity == .owe)
        #expect(try box("wifi_password: partypeople").hotspotSecurity == .wpa2)
        #expect(try box("wifi_security: wpa3").hotspotSecurity == .wpa3)
        let desktop = try BoxConfiguration.resolve(
            flags: ConfigurationLayer(), environment: [:], readFile: { _ in "wifi_name: Cafe" })
        #expect(desktop.hotspotSecurity == .open)
        #expect(throws: ConfigurationError.self) { try box("wifi_security: wep") }
        let env = try BoxConfiguration.resolve(
            flags: ConfigurationLayer(), environment: ["RAVEBOX_WIFI_SECURITY": "open"], readFile: { _ in nil },
            defaultMode: .box)
        #expect(env.hotspotSecurity == .open)
    }

    @Test func phonesAreShownAPasswordOnlyWhenTheNetworkHasOne() throws {
        let owe = try box("wifi_security: owe\nwifi_password: partypeople")
        #expect(owe.wifiPassword == "partypeople" && owe.hotspotPassword == nil)
        #expect(try box("wifi_security: wpa3\nwifi_password: partypeople").hotspotPassword == "partypeople")
        let madeUp = try box("wifi_security: wpa2").withHotspotPassword("abcd-efgh-jkmn")
        #expect(madeUp.hotspotPassword == "abcd-efgh-jkmn")
        #expect(try box("wifi_password: typed-one").withHotspotPassword("other").hotspotPassword == "typed-one")
        #expect(try box("").withHotspotPassword("other").hotspotPassword == nil)
    }

    @Test func anOpenHotspotHasNoSecurityLines() throws {
        let lines = try hostapd("wifi_security: open\nwifi_password: ignoredpass")
        #expect(!lines.contains { $0.hasPrefix("wpa") || $0.hasPrefix("bss=") || $0.hasPrefix("bridge=") })
        #expect(lines.contains("ignore_broadcast_ssid=0"))
    }

    @Test func oweRunsAHiddenEncryptedNetworkBesideTheOpenOneOnABridge() throws {
        let files = ApplianceFiles(try box("wifi_name: Party"))
        let lines = try #require(files.runFiles["hostapd-wlan0.conf"]).split(separator: "\n").map(String.init)
        let bss = try #require(lines.firstIndex(of: "bss=owe-wlan0"))
        let open = Array(lines[..<bss])
        let owe = Array(lines[bss...])
        #expect(open.contains("interface=wlan0") && open.contains("ignore_broadcast_ssid=0"))
        #expect(open.contains("owe_transition_ifname=owe-wlan0") && open.contains("bridge=hotspot0"))
        #expect(!open.contains { $0.hasPrefix("wpa") })
        #expect(owe.contains("ssid2=" + hex("Party-owe")) && owe.contains("ignore_broadcast_ssid=1"))
        #expect(owe.contains("wpa_key_mgmt=OWE") && owe.contains("ieee80211w=2"))
        #expect(owe.contains("owe_transition_ifname=wlan0") && owe.contains("bridge=hotspot0"))
        // The network is the bridge: address, DHCP and firewall on it, hostapd adds both access points.
        #expect(files.networkFiles["10-ravebox-hotspot.netdev"]?.contains("Kind=bridge") == true)
        #expect(files.networkFiles["10-ravebox-hotspot.network"]?.contains("Name=hotspot0") == true)
        #expect(files.runFiles["dnsmasq.conf"]?.contains("\ninterface=hotspot0\n") == true)
        let forwarding = ApplianceFiles(try box("uplink_forwarding: on"))
        #expect(forwarding.runFiles["nftables.conf"]?.contains("iifname \"hotspot0\" accept") == true)
    }

    @Test func theOWEAccessPointGetsAnAddressOfItsOwnAndANameThatFits() {
        #expect(ApplianceFiles.oweBSSID(radio: "02:00:00:00:00:00") == "02:00:00:00:00:01")
        #expect(
            ApplianceFiles.oweBSSID(radio: "b8:27:eb:12:34:57\n".trimmingCharacters(in: .newlines))
                == "ba:27:eb:12:34:56")
        #expect(ApplianceFiles.oweBSSID(radio: "nonsense") == nil)
        #expect(ApplianceFiles.oweInterface("wlan0") == "owe-wlan0")
        #expect(ApplianceFiles.oweInterface("wlx00c0ca123456").utf8.count == 15)
        let config = try? BoxConfiguration.resolve(
            flags: ConfigurationLayer(), environment: [:],
            readFile: { _ in "wifi_name: \(String(repeating: "ü", count: 16))" },
            defaultMode: .box)
        let file = config.map {
            ApplianceFiles.hostapd($0, interface: "wlan0", security: .owe, oweBSSID: "02:00:00:00:00:01")
        }
        let name = String(repeating: "ü", count: 14) + "-owe"
        #expect(name.utf8.count == 32)
        #expect(file?.contains("\nbss=owe-wlan0\nbssid=02:00:00:00:00:01\nssid2=\(hex(name))\n") == true)
    }

    @Test func wpa2AndWPA3ShareOnePassphraseAndWPA3AddsSAEWithProtectedFrames() throws {
        let wpa2 = try hostapd("wifi_security: wpa2\nwifi_password: partypeople")
        #expect(wpa2.contains("wpa_key_mgmt=WPA-PSK") && wpa2.contains("wpa_passphrase=partypeople"))
        #expect(!wpa2.contains { $0.hasPrefix("ieee80211w") })
        let wpa3 = try hostapd("wifi_security: wpa3\nwifi_password: partypeople")
        #expect(wpa3.contains("wpa_key_mgmt=WPA-PSK SAE") && wpa3.contains("ieee80211w=1"))
        #expect(wpa3.contains("sae_require_mfp=1") && wpa3.contains("wpa_passphrase=partypeople"))
        #expect(!wpa3.contains { $0.hasPrefix("sae_password") })  // its `|` syntax would misread some passwords
        // Without a password (ravebox setup fills one in) hostapd refuses to start instead of running open.
        #expect(!(try hostapd("wifi_security: wpa2")).contains { $0.hasPrefix("wpa_passphrase") })
    }

    @Test func madeUpPasswordsAreTwelveUnambiguousCharactersInThreeGroups() {
        var generator = SeededGenerator(seed: 7)
        var seen = Set<String>()
        for _ in 0..<200 {
            let password = WiFiPassword.generate(using: &generator)
            let groups = password.split(separator: "-")
            #expect(groups.count == 3 && groups.allSatisfy { $0.count == 4 }, "\(password)")
            #expect(password.replacingOccurrences(of: "-", with: "").allSatisfy { WiFiPassword.alphabet.contains($0) })
            #expect(!password.contains { "0o1il".contains($0) })
            #expect(WiFiPassword.hotspotProblem(password) == nil)
            seen.insert(password)
        }
        #expect(seen.count == 200)
        #expect(WiFiPassword.generate() != WiFiPassword.generate())
    }

    @Test func homeNetworkKeysMayBeGivenAsHex() throws {
        let key = String(repeating: "ab", count: 32)
        let config = try box("wifi_client_name: Home\nwifi_client_password: \(key.uppercased())")
        let file = try #require(ApplianceFiles(config).runFiles["wpa_supplicant-wlan1.conf"])
        #expect(file.contains("\n    psk=\(key)\n"))
        #expect(throws: ConfigurationError.self) { try box("wifi_password: \(key)x") }
        #expect(WiFiPassword.hotspotProblem(key) != nil)
    }

    func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }
}
