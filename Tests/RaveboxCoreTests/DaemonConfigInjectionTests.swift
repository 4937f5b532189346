import Foundation
import RaveboxCore
import Testing

/// Finding 10: a Wi-Fi password must not add lines to hostapd's or wpa_supplicant's file, and a password with a `"`
/// or `#` that the daemon can represent must reach it intact. These use only keys and files that existed before
/// `wifi_security`: the code before the fix accepted a line break (it checked 8 to 63 characters only), wrote the
/// home password as `psk="…"` (which the real wpa_supplicant reads as a 2-byte passphrase and refuses, see
/// HotspotSetupTests) and counted characters where the daemons count bytes.
@Suite struct DaemonConfigInjectionTests {
    func box(_ yaml: String) throws -> BoxConfiguration {
        try BoxConfiguration.resolve(
            flags: ConfigurationLayer(), environment: [:], readFile: { _ in yaml }, defaultMode: .box)
    }

    @Test(arguments: ["wifi_password", "wifi_client_password"])
    func aPasswordWithALineBreakIsRefusedNamingItsKey(key: String) throws {
        for value in ["\"goodpassword\\nwpa=0\"", "\"goodpassword\\rctrl_interface=/tmp\"", "\"tab\\tseparated\""] {
            let yaml = "wifi_client_name: Home\n\(key): \(value)"
            #expect {
                try box(yaml)
            } throws: { error in
                guard case ConfigurationError.invalid(let named, _, _, _) = error else { return false }
                return named == key && "\(error)".contains("line breaks")
            }
        }
    }

    @Test func aHomePasswordWithAQuoteAndAHashReachesWpaSupplicantAsItsKey() throws {
        // wpa_supplicant's psk="…" ends at the last quote and its line reader cuts at a # it takes to be outside
        // quotes: this legitimate password used to reach it as something else. Now the key goes as 64 hex digits:
        // PBKDF2-HMAC-SHA1("pa\"ss #word", "Home", 4096, 32), computed with Python's hashlib.
        let config = try box("wifi_client_name: Home\nwifi_client_password: 'pa\"ss #word'")
        #expect(config.appliance.clientNetworkPassword == "pa\"ss #word")
        let file = try #require(ApplianceFiles(config).runFiles["wpa_supplicant-wlan1.conf"])
        let lines = file.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("psk=8636e69f4437fab7504ad0af35c04264d7b49f610b47c25061c460f19cd602f0"))
        #expect(!file.contains("pa\"ss"))
        #expect(lines.filter { $0.hasPrefix("psk=") }.count == 1)
        // Every line is a comment, a known key or the block's braces: nothing typed started a line.
        let known = ["#", "ctrl_interface=", "network={", "ssid=", "psk=", "}"]
        #expect(lines.allSatisfy { line in known.contains { line.hasPrefix($0) } }, "\(lines)")
    }

    @Test func aHotspotPasswordWithQuotesAndHashIsOneLineForHostapd() throws {
        // hostapd takes everything after `wpa_passphrase=` to the end of the line, quotes and # included.
        let config = try box("wifi_password: 'say \"hi\" #1'")
        let file = try #require(ApplianceFiles(config).runFiles["hostapd-wlan0.conf"])
        let lines = file.split(separator: "\n")
        #expect(lines.contains("wpa_passphrase=say \"hi\" #1"))
        #expect(lines.allSatisfy { $0.hasPrefix("#") || $0.contains("=") }, "\(lines)")
        #expect(lines.filter { $0.hasPrefix("wpa") }.count == 3)
    }

    @Test func passwordLengthsAreCountedInBytesAsTheDaemonsCountThem() throws {
        // 40 é are 40 characters but 80 bytes: more than WPA's 63, which hostapd would refuse at boot.
        let long = String(repeating: "é", count: 40)
        #expect(throws: ConfigurationError.self) { try box("wifi_password: \(long)") }
        #expect(throws: ConfigurationError.self) { try box("wifi_client_password: \(long)") }
        #expect(try box("wifi_password: Müllerparty").wifiPassword == "Müllerparty")
    }
}
