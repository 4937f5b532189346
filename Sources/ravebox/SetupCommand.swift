import ArgumentParser
import Foundation
import RaveboxCore
import RaveboxSetup
import RaveboxStore

/// `ravebox setup`: the appliance's boot step (root, before the box and its network start).
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Turn the boot partition's ravebox.yaml into the box's system configuration (run at boot).",
        discussion: """
            Reads BOOT/ravebox.yaml, stores the secrets typed into it in root's own folder on the data partition \
            (DATA/.ravebox-setup, mode 0700; the admin password only as its bcrypt hash) and masks them in the file, \
            then writes into RUN (mode 0750, root and the ravebox group): ravebox.yaml (the box's own copy, readable \
            by the group, with the admin password's hash and without the home Wi-Fi's password), hostapd-IFACE.conf, \
            dnsmasq.conf, nftables.conf, wpa_supplicant-IFACE.conf (the home Wi-Fi's interface) when configured, \
            plus the systemd-networkd files into NETWORK; RUN/requests is the one folder the group may write in. On \
            a Raspberry Pi's boot partition it writes the overlays ravebox.yaml needs into BOOT/ravebox-overlays.txt \
            (which BOOT/config.txt includes) and the spidev buffer into BOOT/cmdline.txt; they take effect at the \
            next boot. A file that does not parse is reported in one line (its line and column, never its text) and \
            the last good one is used instead, so the box always comes up. Runs as root and trusts nothing the box's \
            user can write: no symlink is followed, no FIFO read (docs/security.md, "What runs as root").
            """)

    @Option(help: "The boot partition (FAT), holding ravebox.yaml, config.txt and cmdline.txt.")
    var boot = "/boot/firmware"
    @Option(help: "The data partition's box folder.")
    var data = "/var/lib/ravebox"
    @Option(name: .customLong("run"), help: "Where the generated files go (RAM).")
    var runDirectory = "/run/ravebox"
    @Option(help: "Where the systemd-networkd files go.")
    var network = "/run/systemd/network"
    @Option(help: "The group that may read RUN/ravebox.yaml and request a power-off in RUN/requests.")
    var group = "ravebox"
    @Flag(help: "Also set the system's host name to hostname's first label (avahi publishes it as NAME.local).")
    var setHostname = false

    func run() throws {
        let gid = getgrnam(group).map { $0.pointee.gr_gid }
        let bootFolder = try SafeFolder(path: boot)
        let dataFolder = try SafeFolder(path: data, creating: 0o750)
        let setupStore = try SetupStore(data: dataFolder)
        if let notice = setupStore.notice { Self.say("ravebox setup: \(notice)") }
        var stored = setupStore.secrets()

        // 1. The user's file, or the last good one when it is broken.
        let bootFile = boot + "/ravebox.yaml"
        var text = Self.read("ravebox.yaml", in: bootFolder) ?? ""
        var fromBoot = true
        var plain: [String: String] = [:]
        do {
            plain = try BootFiles.plainSecrets(in: text, path: bootFile)
            for (key, value) in plain where key != "admin_password" { stored[key] = value }
            // The admin password is kept only as its bcrypt hash, which is what the box gets.
            if let password = plain["admin_password"] {
                stored["admin_password_hash"] = AdminCredentials.hash(password)
            }
        } catch {
            Self.say("ravebox setup: \(bootFile) is not valid, using the last good settings: \(error)")
            text = setupStore.lastGood() ?? ""
            fromBoot = false
        }
        var config: BoxConfiguration
        do {
            config = try Self.resolve(BootFiles.unmasking(text, stored: stored))
        } catch {
            Self.say("ravebox setup: \(error); using the built-in settings")
            config = try Self.resolve("")
            text = ""
            fromBoot = false
        }
        config.appliance = Self.withoutUnstoredPasswords(
            config.appliance, masked: BootFiles.maskedKeys(in: text), stored: stored)
        var boxText = BootFiles.unmasking(
            BootFiles.boxCopy(text, adminPasswordHash: stored["admin_password_hash"]), stored: stored)

        // WPA2/WPA3 without a wifi_password: the box's own, made once and kept with the secrets.
        var madeUp: String?
        if config.hotspotSecurity.usesPassword, config.wifiPassword == nil {
            let password = stored[BootFiles.generatedWiFiPasswordKey] ?? WiFiPassword.generate()
            stored[BootFiles.generatedWiFiPasswordKey] = password
            boxText = BootFiles.setting("wifi_password", password, in: boxText)
            config = config.withHotspotPassword(password)
            madeUp = password
        }

        // 2. Secrets into root's own folder on the data partition, then out of the user's file.
        try setupStore.storeSecrets(stored)
        if fromBoot {
            if !plain.isEmpty {
                let masked = BootFiles.masking(text, keys: Set(plain.keys))
                try bootFolder.write("ravebox.yaml", masked, mode: nil)
                Self.say(
                    "ravebox setup: stored \(plain.keys.sorted().joined(separator: ", ")) and masked them in \(bootFile)"
                )
                text = masked
            }
            try setupStore.storeLastGood(text)
        }

        // 3. The generated files. RUN is root's: the box's group may read it and write only in RUN/requests.
        let runFolder = try SafeFolder(path: runDirectory, creating: 0o750)
        try runFolder.setAccess(mode: 0o750, owner: 0, group: gid)
        try runFolder.folder(BoxPaths.requestsFolderName, creating: 0o770).setAccess(mode: 0o770, owner: 0, group: gid)
        try runFolder.write("ravebox.yaml", boxText, mode: 0o640, owner: 0, group: gid)
        // Until an admin password is configured, the code that claims the box at /setup: kept on the boot
        // partition (so a box without a screen can be claimed: the host reads it on a computer) and handed to
        // the box, which stops offering it once someone has claimed the box.
        if stored["admin_password_hash"] == nil {
            let code = try Self.setupCode(in: bootFolder)
            try runFolder.write(Self.setupCodeFile, "\(code)\n", mode: 0o640, owner: 0, group: gid)
        } else {
            try? runFolder.remove(Self.setupCodeFile)
        }
        let files = ApplianceFiles(config)
        for name in try runFolder.names()
        where name == "dnsmasq.conf" || name.hasPrefix("hostapd") || name.hasPrefix("wpa_supplicant") {
            try? runFolder.remove(name)
        }
        for (name, contents) in files.runFiles {
            try runFolder.write(name, contents, mode: 0o600)
        }
        let networkFolder = try SafeFolder(path: network, creating: 0o755)
        for name in ApplianceFiles.networkFileNames {
            try? networkFolder.remove(name)
        }
        for (name, contents) in files.networkFiles {
            try networkFolder.write(name, contents, mode: 0o644)
        }

        // 4. The firmware's files (Raspberry Pi only; the next boot applies them).
        var changed: [String] = []
        let overlays = BootFiles.overlaysText(BootFiles.overlayLines(config))
        let edits: [(String, (String) -> String)] = [
            ("config.txt", { BootFiles.configText($0) }),
            (BootFiles.overlaysFile, { _ in overlays }),
            ("cmdline.txt", { BootFiles.cmdlineText($0, spidevBuffer: BootFiles.usesSPILEDs(config)) }),
        ]
        // Only on a Raspberry Pi's boot partition (it has a config.txt); the overlays file may be new.
        let isPi = bootFolder.contains("config.txt")
        for (name, edit) in edits where isPi {
            let old = Self.read(name, in: bootFolder) ?? ""
            if old.isEmpty && name != BootFiles.overlaysFile { continue }
            let new = edit(old)
            if new != old {
                try bootFolder.write(name, new, mode: nil)
                changed.append(name)
            }
        }
        Self.noteWiFiPassword(madeUp, config: config, boot: bootFolder)
        var hotspot = "no hotspot"
        if let interface = config.appliance.hotspotInterface {
            hotspot =
                "hotspot \"\(config.wifiName ?? "Ravebox")\" on \(interface)"
                + Self.untilPresent(interface, else: "check that the Wi-Fi adapter is there and not disabled")
                + " (wifi_security: \(config.hotspotSecurity.rawValue)"
                + (madeUp == nil ? ")" : "; the password the box made up is in \(BootFiles.wifiNoteFile))")
        }
        var named = ""
        if setHostname, let label = config.hostLabel {
            if sethostname(label, label.utf8.count) == 0 {
                named = "; host name \(label) (\(label).local)"
            } else {
                named = "; cannot set the host name to \(label): \(String(cString: strerror(errno)))"
            }
        }
        var client = ""
        if let interface = files.clientInterface, let name = config.appliance.clientNetworkName {
            client =
                "; home Wi-Fi \"\(name)\" on \(interface)"
                + Self.untilPresent(
                    interface, else: "plug in a second Wi-Fi adapter, or set hotspot: off to join it with the first")
        }
        Self.say(
            "ravebox setup: \(hotspot)\(client)\(named)"
                + (changed.isEmpty ? "" : "; \(changed.joined(separator: " and ")) updated, in effect after a reboot"))
    }

    /// Writes the made-up Wi-Fi password to the boot partition for the owner of a box without a screen (only when
    /// it changed: the card's FAT is written as little as possible), or removes the note when there is none.
    static func noteWiFiPassword(_ password: String?, config: BoxConfiguration, boot: SafeFolder) {
        guard let password else {
            try? boot.remove(BootFiles.wifiNoteFile)
            return
        }
        let note = BootFiles.wifiNote(name: config.wifiName ?? "Ravebox", password: password)
        if (try? boot.read(BootFiles.wifiNoteFile)) != note {
            do {
                try boot.write(BootFiles.wifiNoteFile, note, mode: nil)
            } catch {
                say("ravebox setup: \(error)")
            }
        }
    }

    /// "" when the network interface exists; else what the summary line adds: its service starts once it appears.
    static func untilPresent(_ interface: String, else advice: String) -> String {
        FileManager.default.fileExists(atPath: "/sys/class/net/\(interface)")
            ? "" : " once it appears (no \(interface) yet: \(advice))"
    }

    static func resolve(_ text: String) throws -> BoxConfiguration {
        try BoxConfiguration.resolve(
            flags: ConfigurationLayer(mode: .box), environment: [:], readFile: { _ in text }, defaultMode: .box)
    }

    /// `name`'s text in `folder`, or nil when it is missing; a file root must not read (a symlink, a FIFO) is
    /// reported and counts as missing.
    static func read(_ name: String, in folder: SafeFolder) -> String? {
        do {
            return try folder.read(name)
        } catch {
            say("ravebox setup: \(error); ignoring it")
            return nil
        }
    }

    /// The appliance without the networks whose password ravebox.yaml has masked but this box has not stored (the
    /// data partition is new, or was reset or tampered with): such a hotspot would otherwise be opened without a
    /// password, and such a home network joined as an open one.
    static func withoutUnstoredPasswords(
        _ appliance: ApplianceConfiguration, masked: Set<String>, stored: [String: String]
    ) -> ApplianceConfiguration {
        var appliance = appliance
        let missing = masked.filter { stored[$0] == nil }
        if missing.contains("wifi_password"), let interface = appliance.hotspotInterface {
            appliance.hotspotInterface = nil
            say(
                "ravebox setup: the hotspot on \(interface) stays off: wifi_password is masked in ravebox.yaml but not"
                    + " stored on this box; write it into ravebox.yaml again")
        }
        if missing.contains("wifi_client_password"), let name = appliance.clientNetworkName {
            appliance.clientNetworkName = nil
            say(
                "ravebox setup: not joining the home Wi-Fi \"\(name)\": wifi_client_password is masked in ravebox.yaml"
                    + " but not stored on this box; write it into ravebox.yaml again")
        }
        return appliance
    }

    /// The name of the setup code's file, on the boot partition (`ravebox-setup-code.txt`) and in RUN.
    static let setupCodeFile = "setup-code"
    static let bootSetupCodeFile = "ravebox-setup-code.txt"

    /// The setup code on the boot partition, made and written there when it has none (or one that does not
    /// read as a code).
    static func setupCode(in boot: SafeFolder) throws -> SetupCode {
        if let text = read(bootSetupCodeFile, in: boot),
            let code = text.split(whereSeparator: \.isNewline).first.flatMap({ SetupCode(String($0)) })
        {
            return code
        }
        let code = SetupCode.make()
        try boot.write(
            bootSetupCodeFile,
            """
            \(code)

            The setup code of this Ravebox: open http://ravebox.local/setup (or the box's address) from a phone on
            its Wi-Fi and type it to choose the admin password. It works until someone has done so.

            """, mode: nil)
        say("ravebox setup: no admin password yet; the setup code is in \(bootSetupCodeFile)")
        return code
    }

    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
