import ArgumentParser
import Foundation
import RaveboxCore

/// `ravebox setup`: the appliance's boot step (root, before the box and its network start).
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Turn the boot partition's ravebox.yaml into the box's system configuration (run at boot).",
        discussion: """
            Reads BOOT/ravebox.yaml, stores the secrets typed into it on the data partition (DATA/secrets.json, \
            readable by root only) and masks them in the file, then writes into RUN: ravebox.yaml (the box's own \
            copy, secrets included, readable by the ravebox group), hostapd-IFACE.conf, dnsmasq.conf, nftables.conf, \
            wpa_supplicant-IFACE.conf (the home Wi-Fi's interface) when configured, plus the systemd-networkd files into \
            NETWORK. On a Raspberry Pi's boot partition it writes the overlays ravebox.yaml needs into \
            BOOT/ravebox-overlays.txt (which BOOT/config.txt includes) and the spidev buffer into \
            BOOT/cmdline.txt; they take effect at the next boot. A file that does not parse is reported in one line and the last good \
            one (DATA/last-good.yaml) is used instead, so the box always comes up.
            """)

    @Option(help: "The boot partition (FAT), holding ravebox.yaml, config.txt and cmdline.txt.")
    var boot = "/boot/firmware"
    @Option(help: "The data partition's box folder.")
    var data = "/var/lib/ravebox"
    @Option(name: .customLong("run"), help: "Where the generated files go (RAM).")
    var runDirectory = "/run/ravebox"
    @Option(help: "Where the systemd-networkd files go.")
    var network = "/run/systemd/network"
    @Option(help: "The group that may read RUN/ravebox.yaml and request a power-off in RUN.")
    var group = "ravebox"
    @Flag(help: "Also set the system's host name to hostname's first label (avahi publishes it as NAME.local).")
    var setHostname = false

    func run() throws {
        let fileManager = FileManager.default
        let bootFile = boot + "/ravebox.yaml"
        let secretsFile = data + "/secrets.json"
        let lastGoodFile = data + "/last-good.yaml"
        try fileManager.createDirectory(atPath: data, withIntermediateDirectories: true)
        var stored = Self.readSecrets(secretsFile)

        // 1. The user's file, or the last good one when it is broken.
        var text = (try? String(contentsOfFile: bootFile, encoding: .utf8)) ?? ""
        var fromBoot = true
        var plain: [String: String] = [:]
        do {
            plain = try BootFiles.plainSecrets(in: text, path: bootFile)
            for (key, value) in plain { stored[key] = value }
        } catch {
            Self.say("ravebox setup: \(bootFile) is not valid, using the last good settings: \(error)")
            text = (try? String(contentsOfFile: lastGoodFile, encoding: .utf8)) ?? ""
            fromBoot = false
        }
        var boxText = BootFiles.unmasking(text, stored: stored)
        var config: BoxConfiguration
        do {
            config = try Self.resolve(boxText)
        } catch {
            Self.say("ravebox setup: \(error); using the built-in settings")
            config = try Self.resolve("")
            text = ""
            fromBoot = false
        }

        // WPA2/WPA3 without a wifi_password: the box's own, made once and kept with the secrets.
        var madeUp: String?
        if config.hotspotSecurity.usesPassword, config.wifiPassword == nil {
            let password = stored[BootFiles.generatedWiFiPasswordKey] ?? WiFiPassword.generate()
            stored[BootFiles.generatedWiFiPasswordKey] = password
            boxText = BootFiles.setting("wifi_password", password, in: boxText)
            config = config.withHotspotPassword(password)
            madeUp = password
        }

        // 2. Secrets onto the data partition, then out of the user's file. The admin password is not kept in
        //    plain text: the box stores its hash from RUN/ravebox.yaml, so it is dropped from the store.
        var keep = stored
        keep["admin_password"] = nil
        try Self.writeAtomically(secretsFile, Self.encodeSecrets(keep), mode: 0o600)
        if fromBoot {
            if !plain.isEmpty {
                let masked = BootFiles.masking(text, keys: Set(plain.keys))
                try Self.writeAtomically(bootFile, masked, mode: 0o644)
                Self.say(
                    "ravebox setup: stored \(plain.keys.sorted().joined(separator: ", ")) and masked them in \(bootFile)"
                )
                text = masked
            }
            try Self.writeAtomically(lastGoodFile, text, mode: 0o600)
        }

        // 3. The generated files.
        let gid = getgrnam(group).map { $0.pointee.gr_gid }
        try fileManager.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        chmod(runDirectory, 0o770)
        if let gid { chown(runDirectory, 0, gid) }
        // Only the box's own copy keeps a new admin password, until the box has stored its hash.
        try Self.writeAtomically(runDirectory + "/ravebox.yaml", boxText, mode: 0o640, group: gid)
        let files = ApplianceFiles(config)
        let earlier = (try? fileManager.contentsOfDirectory(atPath: runDirectory)) ?? []
        for name in earlier
        where name == "dnsmasq.conf" || name.hasPrefix("hostapd") || name.hasPrefix("wpa_supplicant") {
            try? fileManager.removeItem(atPath: runDirectory + "/" + name)
        }
        for (name, contents) in files.runFiles {
            try Self.writeAtomically(runDirectory + "/" + name, contents, mode: 0o600)
        }
        try fileManager.createDirectory(atPath: network, withIntermediateDirectories: true)
        for name in ApplianceFiles.networkFileNames {
            try? fileManager.removeItem(atPath: network + "/" + name)
        }
        for (name, contents) in files.networkFiles {
            try Self.writeAtomically(network + "/" + name, contents, mode: 0o644)
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
        let isPi = fileManager.fileExists(atPath: boot + "/config.txt")
        for (name, edit) in edits where isPi {
            let path = boot + "/" + name
            let old = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if old.isEmpty && name != BootFiles.overlaysFile { continue }
            let new = edit(old)
            if new != old {
                try Self.writeAtomically(path, new, mode: 0o644)
                changed.append(name)
            }
        }
        Self.noteWiFiPassword(madeUp, config: config, boot: boot)
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
    static func noteWiFiPassword(_ password: String?, config: BoxConfiguration, boot: String) {
        let path = boot + "/" + BootFiles.wifiNoteFile
        guard let password else {
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        let note = BootFiles.wifiNote(name: config.wifiName ?? "Ravebox", password: password)
        if (try? String(contentsOfFile: path, encoding: .utf8)) != note {
            do {
                try writeAtomically(path, note, mode: 0o644)
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

    static func readSecrets(_ path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
            let secrets = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return secrets
    }

    static func encodeSecrets(_ secrets: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(secrets), as: UTF8.self) + "\n"
    }

    /// Writes through a temporary file in the same folder, synced and renamed, so a power cut leaves the old file
    /// or the new one (also on the FAT boot partition).
    static func writeAtomically(_ path: String, _ contents: String, mode: mode_t, group: gid_t? = nil) throws {
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SetupFailure(path: temporary, errno: errno) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { throw SetupFailure(path: temporary, errno: errno) }
        chmod(temporary, mode)
        if let group { chown(temporary, 0, group) }
        guard rename(temporary, path) == 0 else { throw SetupFailure(path: path, errno: errno) }
    }

    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A file `ravebox setup` could not write.
struct SetupFailure: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}
