import Foundation

/// The edits `ravebox setup` makes on the boot partition: the Raspberry Pi firmware's `config.txt` (which device-
/// tree overlays ravebox.yaml's hardware needs) and `cmdline.txt` (the spidev buffer for long LED strips), and
/// masking the secrets a user typed into ravebox.yaml once they are stored on the data partition.
/// Pure text functions; each returns its input unchanged when there is nothing to do.
public enum BootFiles {
    /// spidev's buffer, large enough for a 2700-LED WS2812 strip in one message.
    public static let spidevBuffer = "spidev.bufsiz=65536"

    /// The overlay lines the configuration asks for.
    public static func overlayLines(_ config: BoxConfiguration) -> [String] {
        var lines: [String] = []
        if config.buttons != .off { lines.append("dtoverlay=ravebox-buttons") }
        if usesSPILEDs(config) { lines += ["dtparam=spi=on", "dtoverlay=ravebox-spi-leds"] }
        if config.appliance.dac == .i2s { lines += ["dtparam=audio=off", "dtoverlay=ravebox-i2s-dac"] }
        return lines
    }

    /// An LED strip on the Pi's SPI bus (`/dev/spidev0.*`).
    public static func usesSPILEDs(_ config: BoxConfiguration) -> Bool {
        config.lights.outputs.contains { ($0.device ?? "").hasPrefix("/dev/spidev0") }
    }

    /// The file `config.txt` includes for the box's overlays, rewritten from ravebox.yaml at every boot.
    public static let overlaysFile = "ravebox-overlays.txt"
    static let includeLine = "include \(overlaysFile)"

    /// The contents of ``overlaysFile`` for `lines`.
    public static func overlaysText(_ lines: [String]) -> String {
        ([
            "# Device-tree overlays for this box, written by \"ravebox setup\" at boot from ravebox.yaml",
            "# (buttons, leds, dac); edits here are overwritten. config.txt includes this file.",
        ] + lines).joined(separator: "\n") + "\n"
    }

    /// `config.txt` with the line that includes ``overlaysFile`` (appended under `[all]` when missing).
    public static func configText(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard !lines.contains(where: { $0.trimmingCharacters(in: .whitespaces) == includeLine }) else { return text }
        var kept = lines.map(String.init)
        while kept.last == "" { kept.removeLast() }
        return (kept + ["", "[all]", includeLine]).joined(separator: "\n") + "\n"
    }

    /// `cmdline.txt` (one line of kernel arguments) with the spidev buffer argument present or absent.
    public static func cmdlineText(_ text: String, spidevBuffer wanted: Bool) -> String {
        var arguments = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        arguments.removeAll { $0.hasPrefix("spidev.bufsiz=") }
        if wanted { arguments.append(spidevBuffer) }
        return arguments.joined(separator: " ") + "\n"
    }

    /// Top-level keys whose values are secrets.
    public static let secretKeys = ["admin_password", "wifi_password", "wifi_client_password"]

    /// The secrets written in plain text in a ravebox.yaml (top-level keys only), by key.
    ///
    /// - Throws: ``ConfigurationError`` when the file is invalid, or when a secret is written where the line edits
    ///   below cannot reach it (a flow mapping such as `{admin_password: ...}`, a key spread over lines): it would
    ///   stay in plain text on the boot partition and reach the box's copy.
    public static func plainSecrets(in yaml: String, path: String) throws(ConfigurationError) -> [String: String] {
        let found = try secrets(in: yaml, path: path)
        guard !found.isEmpty else { return found }
        let copy = (try? secrets(in: boxCopy(yaml, adminPasswordHash: nil), path: path)) ?? [:]
        let masked = (try? secrets(in: masking(yaml, keys: Set(found.keys)), path: path)) ?? [:]
        if let key = (Array(masked.keys) + copy.keys.filter { $0 != "wifi_password" }).min() {
            throw .invalid(
                key: key, value: "(hidden)", source: path,
                accepted: "a line of its own starting with the key, such as \(key): \"...\" (ravebox setup masks it)")
        }
        return found
    }

    private static func secrets(in yaml: String, path: String) throws(ConfigurationError) -> [String: String] {
        var found: [String: String] = [:]
        let layer = try ConfigurationLayer(yaml: yaml, path: path)
        if let value = layer.adminPassword { found["admin_password"] = value }
        if let value = layer.wifiPassword { found["wifi_password"] = value }
        if let value = layer.clientNetworkPassword { found["wifi_client_password"] = value }
        return found.filter { !$0.value.isEmpty }  // empty = an open network, nothing to hide
    }

    /// The key and the value's text of a top-level `key: value` line: the key at the start of the line, bare or
    /// quoted, spaces allowed before the colon (`"admin_password" : x` is `admin_password`). Nil for a line without
    /// a colon or an indented one (a nested key).
    static func entry(_ line: Substring) -> (key: String, value: Substring)? {
        guard let colon = line.firstIndex(of: ":"), line.first != " ", line.first != "\t" else { return nil }
        var key = line[..<colon]
        while key.last == " " || key.last == "\t" { key = key.dropLast() }
        if key.count >= 2, let quote = key.first, quote == "\"" || quote == "'", key.last == quote {
            key = key.dropFirst().dropLast()
        }
        return (String(key), line[line.index(after: colon)...])
    }

    /// The file with each of `keys`' lines replaced by a masked one; comments and every other line stay.
    public static func masking(_ yaml: String, keys: Set<String>) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let (key, rest) = entry(line), keys.contains(key) else { return String(line) }
            let value = rest.trimmingCharacters(in: .whitespaces)
            // An empty value (an open network) is no secret.
            guard !value.isEmpty, value != "\"\"", value != "''" else { return String(line) }
            return
                "\(key): \"\(BoxConfiguration.maskedSecret)\"  # stored on the box; write a new one here to change it"
        }.joined(separator: "\n")
    }

    /// The file with masked secrets replaced by the stored values (for the box's own copy in `/run`) and the
    /// masked keys without a stored value dropped (so the stored hash of the admin password is kept).
    public static func unmasking(_ yaml: String, stored: [String: String]) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            guard let (key, rest) = entry(line), secretKeys.contains(key) else { return String(line) }
            let value = rest.trimmingCharacters(in: .whitespaces)
            guard
                value.hasPrefix("\"\(BoxConfiguration.maskedSecret)\"")
                    || value.hasPrefix(BoxConfiguration.maskedSecret)
            else { return String(line) }
            guard let secret = stored[key] else { return nil }
            return "\(key): \(yamlQuoted(secret))"
        }.joined(separator: "\n")
    }

    /// Where `ravebox setup` keeps the hotspot password it made up (in the data partition's secrets), for WPA2/WPA3
    /// without a `wifi_password`; the same one at every boot.
    public static let generatedWiFiPasswordKey = "generated_wifi_password"

    /// The file on the boot partition that tells the owner of a box without a screen its made-up Wi-Fi password.
    public static let wifiNoteFile = "ravebox-wifi.txt"

    /// The text of ``wifiNoteFile``.
    public static func wifiNote(name: String, password: String) -> String {
        """
        Ravebox Wi-Fi (written by the box; it made this password up because ravebox.yaml has no wifi_password)
        Network: \(name)
        Password: \(password)
        The box's screen and its join page show it too, with a QR code. To choose your own, write
        wifi_password: "..." into ravebox.yaml.

        """
    }

    /// `yaml` with the top-level `key` set to `value` (a double-quoted scalar): its lines removed, one appended.
    public static func setting(_ key: String, _ value: String, in yaml: String) -> String {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).filter { entry($0)?.key != key }
            .map(String.init)
        while lines.last == "" { lines.removeLast() }
        return (lines + ["\(key): \(yamlQuoted(value))"]).joined(separator: "\n") + "\n"
    }

    /// The secret keys whose value in `yaml` is the masked one (stored on the box, not written here).
    public static func maskedKeys(in yaml: String) -> Set<String> {
        var keys: Set<String> = []
        for line in yaml.split(separator: "\n") {
            guard let (key, rest) = entry(line), secretKeys.contains(key) else { continue }
            let value = rest.trimmingCharacters(in: .whitespaces)
            if value.hasPrefix(BoxConfiguration.maskedSecret) || value.hasPrefix("\"\(BoxConfiguration.maskedSecret)\"")
            {
                keys.insert(key)
            }
        }
        return keys
    }

    /// The box's own copy of ravebox.yaml (`/run/ravebox/ravebox.yaml`, readable by the box's user), made from the
    /// user's file before ``unmasking(_:stored:)``: it holds no secret the box does not need. The admin password's
    /// line, plain or masked, becomes `admin_password_hash` with the stored bcrypt hash (or goes, when none is
    /// stored: the box keeps the hash in its database); the home Wi-Fi's password goes (only root's
    /// wpa_supplicant needs it). The hotspot's password stays: the box shows it to guests on the join page.
    public static func boxCopy(_ yaml: String, adminPasswordHash: String?) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            switch entry(line)?.key {
            case "admin_password": return adminPasswordHash.map { "admin_password_hash: \(yamlQuoted($0))" }
            case "wifi_client_password": return nil
            default: return String(line)
            }
        }.joined(separator: "\n")
    }

    /// A double-quoted YAML scalar.
    static func yamlQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
