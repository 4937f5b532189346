/// The box's process configuration: where data lives, which port the web server takes, which music
/// folders to scan, which ALSA device to play on.
///
/// It is resolved in layers, later ones winning: built-in defaults for the ``Mode`` < the YAML file
/// (`--config`) < `RAVEBOX_*` environment variables < command-line flags. See ``resolve(flags:environment:readFile:)``.
///
/// ```swift
/// let config = try BoxConfiguration.resolve(
///     flags: ConfigurationLayer(port: 9000),
///     environment: ProcessInfo.processInfo.environment,
///     readFile: { try? String(contentsOfFile: $0, encoding: .utf8) })
/// ```
public struct BoxConfiguration: Sendable, Equatable, Codable {
    /// Where the box runs: on the appliance image, or on a developer's desktop.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// A laptop or desktop: data in `./.ravebox`, config in `./ravebox.yaml`.
        case desktop
        /// The flashed appliance: data on the data partition, config on the boot partition.
        case box
    }

    /// What the lights listen to: the music the box plays, or a capture device (line-in, USB card) when
    /// the music comes from elsewhere.
    public enum AudioSource: String, Sendable, Codable, CaseIterable {
        case playback
        case capture
    }

    public var mode: Mode
    /// The YAML file this configuration was read from (it may not exist).
    public var configFile: String
    /// Folder holding the SQLite database, caches and uploads.
    public var dataDirectory: String
    /// Address the web server binds to.
    public var host: String
    /// TCP port of the web server.
    public var port: Int
    /// Music folders to scan into the library.
    public var libraries: [String]
    /// ALSA PCM name to play on (`default`, `hw:0,0`, `plughw:1`, `null`, ...).
    public var audioDevice: String
    /// Admin password as given; it is stored only as a bcrypt hash and never written back anywhere.
    public var adminPassword: String?
    /// The admin password's bcrypt hash, for a box whose configuration must not hold the password itself (the
    /// appliance's `/run/ravebox/ravebox.yaml`, written by `ravebox setup`). One setting with ``adminPassword``: a
    /// layer that gives one drops the other.
    public var adminPasswordHash: String?
    /// The box's name on its network: the captive portal sends guests to `http://<hostname>/`.
    public var hostname: String
    /// The first label of `hostname` (`ravebox` of `ravebox.lan`): on the appliance also the system's host name,
    /// which avahi publishes as `<label>.local`. Nil for `localhost`.
    public var hostLabel: String? { Self.hostLabel(hostname) }

    /// The party page's address, `http://ravebox.lan/` (with the port when it is not 80): what the join codes
    /// on the screen and the join page carry, and where the captive portal sends phones.
    public var partyURL: String { Self.partyURL(hostname: hostname, port: port) }

    /// ``partyURL`` for any name and port.
    public static func partyURL(hostname: String, port: Int) -> String {
        "http://\(hostname)\(port == 80 ? "" : ":\(port)")/"
    }

    /// The first label of a host name, lowercased; nil when empty or `localhost`.
    public static func hostLabel(_ name: String) -> String? {
        let label = String(name.lowercased().prefix { $0 != "." })
        return label.isEmpty || label == "localhost" ? nil : label
    }
    /// The hotspot's network name, and the password typed into ravebox.yaml (`wifi_password`), if any.
    public var wifiName: String?
    public var wifiPassword: String?
    /// How phones connect (`wifi_security`), as configured; nil = not said, see ``hotspotSecurity``.
    public var wifiSecurity: WiFiSecurity?

    /// How phones connect: `wifi_security`, or when it is not set WPA2 if there is a password (what a
    /// ravebox.yaml from before `wifi_security` meant), else OWE on the box and an open network elsewhere.
    public var hotspotSecurity: WiFiSecurity {
        wifiSecurity ?? (wifiPassword != nil ? .wpa2 : mode == .box ? .owe : .open)
    }

    /// The password phones need, which the join QR codes and the screen show: nil for an open or OWE network
    /// (a `wifi_password` is then not used). On the box `ravebox setup` fills in a made-up one for WPA2/WPA3 when
    /// ravebox.yaml has none (``withHotspotPassword(_:)``).
    public var hotspotPassword: String? { hotspotSecurity.usesPassword ? wifiPassword : nil }

    /// This configuration with `password` as the hotspot's when it needs one and ravebox.yaml gives none.
    public func withHotspotPassword(_ password: @autoclosure () -> String) -> BoxConfiguration {
        guard hotspotSecurity.usesPassword, wifiPassword == nil else { return self }
        var copy = self
        copy.wifiPassword = password()
        return copy
    }
    /// What the analysis (and so the lights) listens to.
    public var audioSource: AudioSource = .playback
    /// ALSA capture device for `audioSource == .capture` (`default`, `hw:1,0`, `plughw:1`, ...).
    public var captureDevice = "default"
    /// A named pipe that also gets what plays (raw 48 kHz s16le stereo), for Snapcast; `nil` = none.
    public var snapcastFIFO: String?
    /// Folder USB sticks are mounted in: every folder directly in it is a music folder too, scanned when it
    /// appears; `nil` = none (`/media/ravebox` on the box).
    public var usbRoot: String?
    /// The format songs are played at (the device may offer another; the nearest is used).
    public var audioRate = 48_000
    public var audioChannels = 2
    /// The ALSA period (the output thread wakes once per period) and periods per buffer (latency).
    public var audioPeriodMilliseconds = 5
    public var audioPeriods = 4
    /// LED outputs, WLED audio sync and the onboard LEDs (`leds`, `audio_sync`, `onboard_leds`).
    public var lights = LightsConfiguration()
    /// The box's buttons (`buttons`): off, on with the default wiring, or a mapping (chip, lines, encoder,
    /// bindings) that the engine reads; see docs/buttons.md.
    public var buttons: ButtonsSetting = .off
    /// Whether the engine looks for a DRM/KMS screen to draw on (`screen: on|off`).
    public var screen = false
    /// The appliance's network and hardware choices (`country`, `hotspot`, home Wi-Fi, `dac`, ...).
    public var appliance = ApplianceConfiguration()

    /// Built-in defaults for a mode.
    public static func defaults(for mode: Mode) -> BoxConfiguration {
        switch mode {
        case .desktop:
            BoxConfiguration(
                mode: .desktop, configFile: "./ravebox.yaml", dataDirectory: "./.ravebox", host: "0.0.0.0",
                port: 8080, libraries: [], audioDevice: "default", adminPassword: nil, hostname: "localhost",
                wifiName: nil, wifiPassword: nil)
        case .box:
            BoxConfiguration(
                mode: .box, configFile: "/boot/firmware/ravebox.yaml", dataDirectory: "/var/lib/ravebox",
                host: "0.0.0.0", port: 80, libraries: [BoxConfiguration.demoLibrary], audioDevice: "default",
                adminPassword: nil, hostname: "ravebox.lan", wifiName: "Ravebox", wifiPassword: nil,
                usbRoot: "/media/ravebox", lights: LightsConfiguration(onboardLEDs: true), buttons: .on, screen: true,
                appliance: ApplianceConfiguration(hotspotInterface: "wlan0"))
        }
    }

    /// Resolves the layers into one validated configuration.
    ///
    /// - Parameters:
    ///   - flags: values given on the command line (highest precedence).
    ///   - environment: the process environment; `RAVEBOX_*` variables form the layer below the flags.
    ///   - readFile: reads a file's text, or returns `nil` when it does not exist.
    ///   - defaultMode: the mode used when neither flags nor environment name one.
    /// - Throws: ``ConfigurationError`` naming the key, where it came from and the accepted values.
    public static func resolve(
        flags: ConfigurationLayer,
        environment: [String: String],
        readFile: (String) throws -> String?,
        defaultMode: Mode = .desktop
    ) throws(ConfigurationError) -> BoxConfiguration {
        let env = try ConfigurationLayer(environment: environment)
        let mode = flags.mode ?? env.mode ?? defaultMode
        var result = defaults(for: mode)

        let explicitFile = flags.configFile ?? env.configFile
        let path = explicitFile ?? result.configFile
        let text: String?
        do {
            text = try readFile(path)
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
        if text == nil, explicitFile != nil {
            throw .unreadableFile(path: path, reason: "no such file")
        }
        result.configFile = path
        if let text {
            let file = try ConfigurationLayer(yaml: text, path: path)
            if let fileMode = file.mode, fileMode != mode {
                throw .invalid(
                    key: "mode", value: fileMode.rawValue, source: path,
                    accepted: "only the mode the box was started in (\(mode.rawValue)); set it with --mode")
            }
            result.apply(file)
        }
        result.apply(env)
        result.apply(flags)
        try result.validate()
        return result
    }

    mutating func apply(_ layer: ConfigurationLayer) {
        if let value = layer.dataDirectory { dataDirectory = value }
        if let value = layer.host { host = value }
        if let value = layer.port { port = value }
        if let value = layer.libraries { libraries = value }
        if let value = layer.audioDevice { audioDevice = value }
        if let value = layer.adminPassword { (adminPassword, adminPasswordHash) = (value, nil) }
        if let value = layer.adminPasswordHash { (adminPassword, adminPasswordHash) = (nil, value) }
        if let value = layer.hostname { hostname = value }
        if let value = layer.wifiName { wifiName = value }
        if let value = layer.wifiPassword { wifiPassword = value.isEmpty ? nil : value }
        if let value = layer.wifiSecurity { wifiSecurity = value }
        if let value = layer.audioSource { audioSource = value }
        if let value = layer.captureDevice { captureDevice = value }
        if let value = layer.snapcastFIFO { snapcastFIFO = value }
        if let value = layer.usbRoot { usbRoot = value }
        if let value = layer.audioRate { audioRate = value }
        if let value = layer.audioChannels { audioChannels = value }
        if let value = layer.audioPeriodMilliseconds { audioPeriodMilliseconds = value }
        if let value = layer.audioPeriods { audioPeriods = value }
        if let value = layer.leds { lights.outputs = value }
        if let value = layer.audioSync { lights.audioSync = value }
        if let value = layer.onboardLEDs { lights.onboardLEDs = value }
        if let value = layer.buttons { buttons = value }
        if let value = layer.screen { screen = value }
        if let value = layer.country { appliance.country = value }
        if let value = layer.hotspotInterface { appliance.hotspotInterface = value }
        if let value = layer.clientNetworkName { appliance.clientNetworkName = value }
        if let value = layer.clientNetworkPassword { appliance.clientNetworkPassword = value.isEmpty ? nil : value }
        if let value = layer.uplinkForwarding { appliance.uplinkForwarding = value }
        if let value = layer.dac { appliance.dac = value }
    }

    /// Checks values that every layer could have got wrong.
    func validate() throws(ConfigurationError) {
        if dataDirectory.isEmpty {
            throw .invalid(key: "data", value: "", source: "configuration", accepted: "a folder path")
        }
        if host.isEmpty {
            throw .invalid(key: "host", value: "", source: "configuration", accepted: "an IP address or host name")
        }
        if audioDevice.isEmpty {
            throw .invalid(
                key: "audio_device", value: "", source: "configuration",
                accepted: "an ALSA PCM name such as default, hw:0,0 or null")
        }
    }

    /// The demo library the appliance image ships (read-only; the box's default music folder, next to USB sticks
    /// and uploads).
    public static let demoLibrary = "/usr/share/ravebox/demo"

    /// Shortest admin password accepted.
    public static let minimumPasswordLength = 8
    /// Longest password accepted, in UTF-8 bytes: bcrypt reads no further, so a longer one would be
    /// accepted by its first 72 bytes alone.
    public static let maximumPasswordBytes = 72

    /// Why `password` cannot be an admin or mod password, or `nil` when it can.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumPasswordLength {
            return "The password needs at least \(minimumPasswordLength) characters."
        }
        if password.utf8.count > maximumPasswordBytes {
            return "The password can have at most \(maximumPasswordBytes) bytes (72 letters without accents)."
        }
        return nil
    }
}

/// Whether the box reads its buttons, and how they are wired.
public enum ButtonsSetting: Sendable, Equatable, Codable {
    /// No buttons (the default in desktop mode).
    case off
    /// The default wiring on `/dev/gpiochip0` (the default on the box).
    case on
    /// A `buttons:` mapping from ravebox.yaml, kept as YAML text for the engine to read.
    case mapping(String)
}
