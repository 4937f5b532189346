import Foundation
import RaveboxTestSupport
import Testing

/// `ravebox setup`, the appliance's boot step, on temporary boot, data and run folders.
@Suite struct SetupCommandTests {
    final class Folders {
        let root: TemporaryFolder
        init() throws {
            root = try TemporaryFolder("setup")
            try FileManager.default.createDirectory(atPath: root.file("boot"), withIntermediateDirectories: true)
            try "arm_64bit=1\n".write(toFile: root.file("boot/config.txt"), atomically: false, encoding: .utf8)
            try "console=tty1 root=PARTUUID=5261766-02 ro\n".write(
                toFile: root.file("boot/cmdline.txt"), atomically: false, encoding: .utf8)
        }
        deinit { root.remove() }

        func write(_ yaml: String) throws {
            try yaml.write(toFile: root.file("boot/ravebox.yaml"), atomically: false, encoding: .utf8)
        }
        func read(_ file: String) -> String {
            (try? String(contentsOfFile: root.file(file), encoding: .utf8)) ?? ""
        }
        func setup() throws -> ProcessRunner.Result {
            try ProcessRunner.run(
                try TestBinary.ravebox,
                [
                    "setup", "--boot", root.file("boot"), "--data", root.file("data"), "--run", root.file("run"),
                    "--network", root.file("network"), "--group", "root",
                ])
        }
    }

    @Test func firstBootStoresAndMasksTheSecretsAndWritesTheSystemFiles() throws {
        let folders = try Folders()
        try folders.write(
            """
            # Your party box
            wifi_name: Garden Party
            wifi_password: lemonade2026
            admin_password: letmein-please
            buttons: on
            leds:
              - {name: strip, type: ws2812, count: 120}
            """)
        let result = try folders.setup()
        #expect(result.status == 0, "\(result.standardError)")
        let boot = folders.read("boot/ravebox.yaml")
        #expect(!boot.contains("lemonade2026") && !boot.contains("letmein-please"))
        #expect(boot.hasPrefix("# Your party box\nwifi_name: Garden Party\n"))
        #expect(folders.read("data/secrets.json").contains("lemonade2026"))
        #expect(!folders.read("data/secrets.json").contains("letmein-please"), "no admin password in plain text")
        var info = stat()
        stat(folders.root.file("data/secrets.json"), &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let box = folders.read("run/ravebox.yaml")
        #expect(box.contains("lemonade2026") && box.contains("letmein-please"))
        #expect(folders.read("run/hostapd-wlan0.conf").contains("wpa_passphrase=lemonade2026"))
        #expect(folders.read("network/10-ravebox-hotspot.network").contains("Address=10.42.0.1/24"))
        #expect(folders.read("boot/ravebox-overlays.txt").contains("\ndtoverlay=ravebox-spi-leds\n"))
        #expect(folders.read("boot/config.txt").hasSuffix("\ninclude ravebox-overlays.txt\n"))
        #expect(folders.read("boot/cmdline.txt").hasSuffix(" spidev.bufsiz=65536\n"))
        #expect(result.standardError.contains("in effect after a reboot"))

        let dnsmasq = try ProcessRunner.run(
            "/usr/sbin/dnsmasq", ["--test", "-C", folders.root.file("run/dnsmasq.conf")])
        #expect(dnsmasq.status == 0, "\(dnsmasq.standardError)")
    }

    @Test func laterBootsKeepStoredSecretsAndTakeNewOnes() throws {
        let folders = try Folders()
        try folders.write("wifi_name: One\nwifi_password: firstpassword\nadmin_password: firstadmin\n")
        #expect(try folders.setup().status == 0)
        // Second boot, nothing edited: the stored Wi-Fi password, and no admin password (its hash is kept).
        #expect(try folders.setup().status == 0)
        #expect(folders.read("run/ravebox.yaml").contains("wifi_password: \"firstpassword\""))
        #expect(!folders.read("run/ravebox.yaml").contains("admin_password"))
        // The user edits the name and the admin password on another computer.
        let edited = folders.read("boot/ravebox.yaml")
            .replacingOccurrences(of: "wifi_name: One", with: "wifi_name: Two")
            .replacingOccurrences(
                of: "admin_password: \"********\"  # stored on the box; write a new one here to change it",
                with: "admin_password: secondadmin")
        try folders.write(edited)
        #expect(try folders.setup().status == 0)
        #expect(
            folders.read("run/hostapd-wlan0.conf").contains(
                "ssid2=" + "Two".utf8.map { String(format: "%02x", $0) }.joined())
        )
        #expect(folders.read("run/ravebox.yaml").contains("admin_password: secondadmin\n"))
        #expect(!folders.read("boot/ravebox.yaml").contains("secondadmin"))
    }

    @Test func aBrokenFileFallsBackToTheLastGoodOneAndSaysWhy() throws {
        let folders = try Folders()
        try folders.write("wifi_name: Good\n")
        #expect(try folders.setup().status == 0)
        try folders.write("wifi_name: [unclosed\n")
        let result = try folders.setup()
        #expect(result.status == 0)
        #expect(result.standardError.contains("is not valid, using the last good settings"))
        #expect(
            folders.read("run/hostapd-wlan0.conf").contains(
                "ssid2=" + "Good".utf8.map { String(format: "%02x", $0) }.joined()))
        #expect(
            folders.read("boot/ravebox.yaml") == "wifi_name: [unclosed\n", "the user's file is left for them to fix")
    }

    /// The home Wi-Fi goes to the radio after the hotspot's; while that radio is missing, setup says what to do.
    @Test func aHomeNetworkWithoutItsRadioIsExplainedInOneLine() throws {
        let folders = try Folders()
        // Interface names no machine has, so the radio is missing here whatever the test host has.
        try folders.write("hotspot: rbtest7\nwifi_client_name: Home\nwifi_client_password: homesecret\n")
        let result = try folders.setup()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            folders.read("run/wpa_supplicant-rbtest8.conf").contains(
                "psk=99dc8793f6fc488ae53bac90eed3502a0fff850d56363de242e475bef6899771"))
        let lines = result.standardError.split(separator: "\n").filter { $0.contains("home Wi-Fi") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("home Wi-Fi \"Home\" on rbtest8 once it appears") == true)
        #expect(lines.first?.contains("set hotspot: off") == true)
        #expect(lines.first?.contains("hotspot \"Ravebox\" on rbtest7 once it appears (no rbtest7 yet") == true)
        #expect(folders.read("run/hostapd-rbtest7.conf").contains("interface=rbtest7"))
        // A later boot without the home Wi-Fi leaves no client file behind.
        try folders.write("hotspot: rbtest7\n")
        #expect(try folders.setup().status == 0)
        let run = try FileManager.default.contentsOfDirectory(atPath: folders.root.file("run"))
        #expect(!run.contains { $0.hasPrefix("wpa_supplicant") }, "\(run)")
    }
}
