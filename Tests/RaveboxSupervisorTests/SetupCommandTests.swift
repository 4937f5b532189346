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
        #expect(folders.read("data/.ravebox-setup/secrets.json").contains("lemonade2026"))
        #expect(
            !folders.read("data/.ravebox-setup/secrets.json").contains("letmein-please"),
            "no admin password in plain text")
        #expect(folders.read("data/.ravebox-setup/secrets.json").contains("\"admin_password_hash\" : \"$2b$10$"))
        var info = stat()
        stat(folders.root.file("data/.ravebox-setup/secrets.json"), &info)
        #expect(info.st_mode & 0o777 == 0o600)
        stat(folders.root.file("data/.ravebox-setup"), &info)
        #expect(info.st_mode & 0o777 == 0o700 && info.st_uid == geteuid())
        // The box's copy: the hotspot password it shows guests, the admin password only as its bcrypt hash.
        let box = folders.read("run/ravebox.yaml")
        #expect(box.contains("lemonade2026") && !box.contains("letmein-please"))
        #expect(box.contains("admin_password_hash: \"$2b$10$"))
        stat(folders.root.file("run"), &info)
        #expect(info.st_mode & 0o7777 == 0o750, "the box's group may read the run folder, not write in it")
        stat(folders.root.file("run/requests"), &info)
        #expect(info.st_mode & 0o7777 == 0o770)
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

    /// A box without an admin password gets a setup code on its boot partition (for a box without a screen)
    /// and in RUN for the box; the code stays the same across boots, and goes from RUN once a password is set.
    @Test func aBoxWithoutAnAdminPasswordGetsASetupCodeOnItsBootPartition() throws {
        let folders = try Folders()
        try folders.write("wifi_name: Garden Party\n")
        #expect(try folders.setup().status == 0)
        let onBoot = folders.read("boot/ravebox-setup-code.txt")
        let code = try #require(onBoot.split(separator: "\n").first.map(String.init))
        #expect(code.count == 9 && code.dropFirst(4).first == "-", "\(onBoot)")
        #expect(onBoot.contains("/setup"))
        #expect(folders.read("run/setup-code") == code + "\n")
        var info = stat()
        stat(folders.root.file("run/setup-code"), &info)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(try folders.setup().status == 0)
        #expect(folders.read("run/setup-code") == code + "\n", "the same code at the next boot")
        try folders.write("wifi_name: Garden Party\nadmin_password: letmein-please\n")
        #expect(try folders.setup().status == 0)
        #expect(!FileManager.default.fileExists(atPath: folders.root.file("run/setup-code")))
    }

    @Test func laterBootsKeepStoredSecretsAndTakeNewOnes() throws {
        let folders = try Folders()
        try folders.write("wifi_name: One\nwifi_password: firstpassword\nadmin_password: firstadmin\n")
        #expect(try folders.setup().status == 0)
        let firstHash = folders.read("run/ravebox.yaml").split(separator: "\n").first {
            $0.hasPrefix("admin_password_hash: ")
        }
        #expect(firstHash != nil)
        // Second boot, nothing edited: the stored Wi-Fi password and the same hash, never the admin password.
        #expect(try folders.setup().status == 0)
        #expect(folders.read("run/ravebox.yaml").contains("wifi_password: \"firstpassword\""))
        #expect(folders.read("run/ravebox.yaml").contains(firstHash.map(String.init) ?? "-"))
        #expect(!folders.read("run/ravebox.yaml").contains("firstadmin"))
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
        #expect(folders.read("run/ravebox.yaml").contains("admin_password_hash: \"$2b$10$"))
        #expect(!folders.read("run/ravebox.yaml").contains(firstHash.map(String.init) ?? "-"), "a new hash")
        #expect(!folders.read("run/ravebox.yaml").contains("secondadmin"))
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
        #expect(!folders.read("run/ravebox.yaml").contains("homesecret"), "the box has no use for it")
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

    /// Finding 8: the data folder belongs to the box's user, who could plant symlinks where the old setup wrote
    /// (`secrets.json.new`, `last-good.yaml.new`) and so make root overwrite any file. Nothing planted in the
    /// data, run or network folders is followed now.
    @Test func symlinksPlantedWhereSetupWritesAreNeverFollowed() throws {
        let folders = try Folders()
        let victim = folders.root.file("victim")
        try "victim, untouched\n".write(toFile: victim, atomically: false, encoding: .utf8)
        for folder in ["data", "run", "network"] {
            try FileManager.default.createDirectory(
                atPath: folders.root.file(folder), withIntermediateDirectories: true)
        }
        let planted = [
            "data/secrets.json.new", "data/last-good.yaml.new", "data/secrets.json", "data/last-good.yaml",
            "run/ravebox.yaml.new", "run/hostapd-wlan0.conf.new", "run/nftables.conf",
            "network/10-ravebox-hotspot.network.new", "boot/ravebox.yaml.new",
        ]
        for name in planted {
            try FileManager.default.createSymbolicLink(atPath: folders.root.file(name), withDestinationPath: victim)
        }
        try folders.write("wifi_password: lemonade2026\nadmin_password: letmein-please\n")
        let result = try folders.setup()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(folders.read("victim") == "victim, untouched\n")
        #expect(folders.read("run/nftables.conf").contains("table inet ravebox"))
        #expect(folders.read("data/.ravebox-setup/secrets.json").contains("lemonade2026"))
    }

    /// The last good file and the secrets come from root's own folder only: one the box's user made in its
    /// place is moved aside and not believed, and a hotspot whose password is masked but not stored stays off
    /// rather than coming up open.
    @Test func aPlantedSetupFolderIsNotBelievedAndTheHotspotDoesNotComeUpOpen() throws {
        let folders = try Folders()
        let planted = folders.root.file("data/.ravebox-setup")
        try FileManager.default.createDirectory(atPath: planted, withIntermediateDirectories: true)
        try "{\"wifi_password\": \"planted-password\"}".write(
            toFile: planted + "/secrets.json", atomically: false, encoding: .utf8)
        if geteuid() == 0 {
            chown(planted, 65534, 65534)
            chmod(planted, 0o700)
        } else {
            chmod(planted, 0o777)
        }
        try folders.write("wifi_name: Garden\nwifi_password: \"********\"\n")
        let result = try folders.setup()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("moved it aside"))
        #expect(result.standardError.contains("the hotspot on wlan0 stays off"))
        #expect(folders.read("run/hostapd-wlan0.conf").isEmpty)
        #expect(!folders.read("run/ravebox.yaml").contains("planted-password"))
    }

    /// Finding 11: a syntax error is reported by line and column, never with the text of the line.
    @Test func aSyntaxErrorNeverEchoesTheLine() throws {
        let folders = try Folders()
        try folders.write("wifi_name: Party\nadmin_password: hunter2: hunter2hunter2\n")
        let result = try folders.setup()
        #expect(result.status == 0)
        #expect(result.standardError.contains("line 2, column"), "\(result.standardError)")
        #expect(!result.standardError.contains("hunter2"), "\(result.standardError)")
    }

    /// A FIFO where setup reads would have hung the boot.
    @Test func aFIFOInTheBootFolderIsNotRead() throws {
        let folders = try Folders()
        let fifo = folders.root.file("boot/ravebox.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Should setup wait for a writer, this one comes after 10 s and ends the wait (the test then fails).
        DispatchQueue.global().asyncAfter(deadline: .now() + 10) {
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        let started = Date()
        let result = try folders.setup()
        #expect(Date().timeIntervalSince(started) < 10, "setup waited on the FIFO")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("is not a regular file"))
    }
}
