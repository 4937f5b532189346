import Foundation
import RaveboxTestSupport
import Testing

/// The hotspot's security modes through the real `ravebox setup` and `ravebox hotspot`, and their files read by the
/// real hostapd and wpa_supplicant (Debian's; `make test-deps` installs them). No radio is needed: both daemons read
/// and check their whole file before they touch an interface, so each runs on a made-up interface (in a network
/// namespace of its own when it can) and its log tells whether the file parsed.
@Suite struct HotspotSetupTests {
    final class Box {
        let root: TemporaryFolder
        init() throws {
            root = try TemporaryFolder("hotspot")
            try FileManager.default.createDirectory(atPath: root.file("boot"), withIntermediateDirectories: true)
        }
        deinit { root.remove() }

        func setup(_ yaml: String) throws -> ProcessRunner.Result {
            try yaml.write(toFile: root.file("boot/ravebox.yaml"), atomically: false, encoding: .utf8)
            return try ProcessRunner.run(
                try TestBinary.ravebox,
                [
                    "setup", "--boot", root.file("boot"), "--data", root.file("data"), "--run", root.file("run"),
                    "--network", root.file("network"), "--group", "root",
                ])
        }
        func hotspot(_ interface: String) throws -> ProcessRunner.Result {
            try ProcessRunner.run(
                try TestBinary.ravebox,
                ["hotspot", interface, "--run", root.file("run"), "--out", root.file("hotspot")])
        }
        func read(_ file: String) -> String {
            (try? String(contentsOfFile: root.file(file), encoding: .utf8)) ?? ""
        }
    }

    /// Runs a daemon on the made-up interface `rbcheck0` for at most 20 s; its whole output.
    static func daemon(_ executable: String, _ arguments: [String]) throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "\(executable): make test-deps")
        let isolate = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
        let result = try ProcessRunner.run(
            "/usr/bin/timeout", ["20"] + (isolate ? ["/usr/bin/unshare", "-n"] : []) + [executable] + arguments)
        return result.standardOutput + result.standardError
    }

    @Test(arguments: ["open", "owe", "wpa2", "wpa3"])
    func everyModesFileParsesInHostapd(mode: String) throws {
        let box = try Box()
        #expect(try box.setup("wifi_name: 'Café \"#1\"'\nwifi_security: \(mode)\nhotspot: rbtest3\n").status == 0)
        let log = try Self.daemon("/usr/sbin/hostapd", ["-i", "rbcheck0", box.root.file("run/hostapd-rbtest3.conf")])
        #expect(!log.contains("errors found in configuration file") && !log.contains("Line "), "\(log)")
        #expect(log.contains("rbcheck0: interface state UNINITIALIZED->"), "it got past the file: \(log)")
    }

    @Test func aRadioThatCannotBeAskedGetsEachModesFallback() throws {
        let box = try Box()
        for (mode, runs) in [("owe", "an open network"), ("wpa3", "WPA2 with a password"), ("wpa2", "WPA2")] {
            #expect(try box.setup("wifi_security: \(mode)\nhotspot: rbtest3\n").status == 0)
            // rbtest3 does not exist: iw cannot describe it, so the modes that need more than any radio has fall back.
            let result = try box.hotspot("rbtest3")
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains(runs), "\(mode): \(result.standardError)")
            let active = box.read("hotspot/hostapd-rbtest3.conf")
            #expect(!active.contains("bss=") && active.contains("interface=rbtest3"))
            #expect(active.contains("wpa_key_mgmt=WPA-PSK\n") == (mode != "owe"), "\(active)")
        }
        // Falling back from OWE keeps the bridge the network was set up on.
        #expect(try box.setup("wifi_security: owe\nhotspot: rbtest3\n").status == 0)
        _ = try box.hotspot("rbtest3")
        #expect(box.read("hotspot/hostapd-rbtest3.conf").contains("bridge=hotspot0"))
    }

    @Test func wpa2WithoutAPasswordGetsOneMadeUpOnceShownAndKept() throws {
        let box = try Box()
        let first = try box.setup("wifi_name: Garden\nwifi_security: wpa2\n")
        #expect(first.status == 0, "\(first.standardError)")
        let secrets = box.read("data/.ravebox-setup/secrets.json")
        let match = try #require(
            secrets.firstMatch(of: /"generated_wifi_password" : "([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})"/))
        let password = String(match.output.1)
        #expect(box.read("run/ravebox.yaml").contains("wifi_password: \"\(password)\""))
        #expect(box.read("run/hostapd-wlan0.conf").contains("\nwpa_passphrase=\(password)\n"))
        #expect(box.read("boot/ravebox-wifi.txt").contains("Network: Garden\nPassword: \(password)\n"))
        #expect(!box.read("boot/ravebox.yaml").contains(password))
        #expect(first.standardError.contains("ravebox-wifi.txt"))
        // The same password at the next boot, and in WPA3 mode too.
        #expect(try box.setup("wifi_name: Garden\nwifi_security: wpa3\n").status == 0)
        #expect(box.read("run/hostapd-wlan0.conf").contains("\nwpa_passphrase=\(password)\n"))
        // A password of the owner's own replaces it; the note goes.
        #expect(try box.setup("wifi_security: wpa2\nwifi_password: our-own-one\n").status == 0)
        #expect(box.read("run/hostapd-wlan0.conf").contains("\nwpa_passphrase=our-own-one\n"))
        #expect(!FileManager.default.fileExists(atPath: box.root.file("boot/ravebox-wifi.txt")))
    }

    @Test func aHomePasswordWithAQuoteAndAHashReachesWpaSupplicantAsItsKey() throws {
        let box = try Box()
        #expect(try box.setup("wifi_client_name: Home\nwifi_client_password: 'pa\"ss #word'\n").status == 0)
        let log = try Self.daemon(
            "/usr/sbin/wpa_supplicant",
            ["-dd", "-K", "-i", "rbcheck0", "-c", box.root.file("run/wpa_supplicant-wlan1.conf")])
        #expect(!log.contains("failed to parse") && !log.contains("Failed to read or parse"), "\(log)")
        // PBKDF2-HMAC-SHA1("pa\"ss #word", "Home", 4096, 32), as wpa_supplicant -K prints it.
        #expect(log.contains("PSK - hexdump(len=32): 86 36 e6 9f 44 37 fa b7 50 4a d0 af 35 c0 42 64"), "\(log)")
        #expect(log.contains("ssid - hexdump_ascii(len=4):"), "\(log)")
    }
}
