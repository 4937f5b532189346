import Foundation
import Yams

/// One layer of configuration: every value optional, `nil` meaning "this layer does not say".
public struct ConfigurationLayer: Sendable, Equatable {
    public var mode: BoxConfiguration.Mode?
    public var configFile: String?
    public var dataDirectory: String?
    public var host: String?
    public var port: Int?
    public var libraries: [String]?
    public var audioDevice: String?
    public var adminPassword: String?
    /// The admin password's bcrypt hash (`admin_password_hash`): what `ravebox setup` hands the box instead of the
    /// password itself.
    public var adminPasswordHash: String?
    public var hostname: String?
    public var wifiName: String?
    public var wifiPassword: String?
    /// How phones connect to the hotspot (`wifi_security`).
    public var wifiSecurity: WiFiSecurity?
    public var audioSource: BoxConfiguration.AudioSource?
    public var captureDevice: String?
    public var snapcastFIFO: String?
    public var usbRoot: String?
    public var audioRate: Int?
    public var audioChannels: Int?
    public var audioPeriodMilliseconds: Int?
    public var audioPeriods: Int?
    /// LED outputs (`leds`, only in the YAML file).
    public var leds: [LEDOutputConfiguration]?
    /// WLED audio sync target (`audio_sync`); `.some(nil)` means explicitly off.
    public var audioSync: LightsConfiguration.NetworkTarget??
    public var onboardLEDs: Bool?
    public var buttons: ButtonsSetting?
    public var screen: Bool?
    public var country: String?
    /// The hotspot's interface; `.some(nil)` means explicitly off.
    public var hotspotInterface: String??
    public var clientNetworkName: String?
    public var clientNetworkPassword: String?
    public var uplinkForwarding: Bool?
    public var dac: ApplianceConfiguration.DAC?

    public init(
        mode: BoxConfiguration.Mode? = nil, configFile: String? = nil, dataDirectory: String? = nil,
        host: String? = nil, port: Int? = nil, libraries: [String]? = nil, audioDevice: String? = nil,
        adminPassword: String? = nil, hostname: String? = nil, wifiName: String? = nil, wifiPassword: String? = nil
    ) {
        self.mode = mode
        self.configFile = configFile
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.libraries = libraries
        self.audioDevice = audioDevice
        self.adminPassword = adminPassword
        self.hostname = hostname
        self.wifiName = wifiName
        self.wifiPassword = wifiPassword
    }

    /// Keys accepted in the YAML file, in the order the documentation lists them.
    public static let yamlKeys = [
        "mode", "data", "host", "port", "library", "audio_device", "admin_password", "hostname", "wifi_name",
        "wifi_security", "wifi_password", "audio_source", "capture_device", "snapcast_fifo", "audio_rate",
        "audio_channels",
        "audio_period_ms", "audio_periods", "leds", "audio_sync", "onboard_leds", "buttons", "screen", "usb_root",
        "country", "hotspot", "wifi_client_name", "wifi_client_password", "uplink_forwarding", "dac",
        "admin_password_hash",
    ]

    /// Keys whose values no message ever shows.
    public static let secretKeys: Set<String> = [
        "admin_password", "admin_password_hash", "wifi_password", "wifi_client_password",
    ]

    /// Environment variable for each YAML key (`RAVEBOX_` + upper-cased key), plus `RAVEBOX_CONFIG`.
    public static func environmentName(of key: String) -> String { "RAVEBOX_" + key.uppercased() }

    /// Reads the `RAVEBOX_*` variables. `RAVEBOX_LIBRARY` holds one or more folders separated by `:`.
    public init(environment: [String: String]) throws(ConfigurationError) {
        self.init()
        for key in Self.yamlKeys {
            let name = Self.environmentName(of: key)
            guard let value = environment[name] else { continue }
            let list = value.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            try set(key: key, scalar: value, list: list, source: name)
        }
        if let file = environment["RAVEBOX_CONFIG"] {
            configFile = file
        }
    }

    /// Reads command-line values given as strings, so a bad flag gets the same clear message (and exit
    /// code) as a bad file entry. `values` maps a YAML key (`port`, `library`, ...) to what the flag gave.
    public init(flags values: [(key: String, values: [String])]) throws(ConfigurationError) {
        self.init()
        for (key, list) in values where !list.isEmpty {
            let source = "--" + key.replacingOccurrences(of: "_", with: "-")
            try set(key: key, scalar: list.count == 1 ? list[0] : nil, list: list, source: source)
        }
    }

    /// Parses a YAML mapping such as:
    ///
    /// ```yaml
    /// port: 8080
    /// library: [/media/music, /data/uploads]
    /// audio_device: hw:0,0
    /// ```
    public init(yaml: String, path: String) throws(ConfigurationError) {
        self.init()
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw .malformedFile(path: path, reason: ConfigurationError.yamlProblem(error))
        }
        guard let node else { return }  // an empty file says nothing
        guard let mapping = node.mapping else {
            throw .malformedFile(path: path, reason: "expected a mapping of keys to values at the top level")
        }
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw .malformedFile(path: path, reason: "a key is not a plain string")
            }
            guard Self.yamlKeys.contains(key) else {
                throw .unknownKey(key: key, source: path, accepted: Self.yamlKeys)
            }
            if key == "leds" {
                leds = try Self.ledOutputs(valueNode, source: path)
            } else if key == "buttons", valueNode.mapping != nil {
                do {
                    buttons = .mapping(try Yams.serialize(node: valueNode))
                } catch {
                    throw .invalid(key: key, value: "\(valueNode)", source: path, accepted: "a mapping")
                }
            } else if let sequence = valueNode.sequence {
                let items = sequence.compactMap(\.string)
                guard items.count == sequence.count else {
                    throw ConfigurationError.invalid(
                        key: key, value: "\(valueNode)", source: path, accepted: "a list of strings"
                    ).hidingSecrets()
                }
                try set(key: key, scalar: nil, list: items, source: path)
            } else if let scalar = valueNode.scalar?.string {
                try set(key: key, scalar: scalar, list: [scalar], source: path)
            } else {
                throw ConfigurationError.invalid(
                    key: key, value: "\(valueNode)", source: path, accepted: "a single value or a list"
                ).hidingSecrets()
            }
        }
    }

    private mutating func set(
        key: String, scalar: String?, list: [String], source: String
    )
        throws(ConfigurationError)
    {
        do {
            try setValue(key: key, scalar: scalar, list: list, source: source)
        } catch {
            throw error.hidingSecrets()
        }
    }

    private mutating func setValue(
        key: String, scalar: String?, list: [String], source: String
    )
        throws(ConfigurationError)
    {
        func single() throws(ConfigurationError) -> String {
            guard let scalar else {
                throw .invalid(key: key, value: list.joined(separator: ", "), source: source, accepted: "one value")
            }
            return scalar
        }
        func choice<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) throws(ConfigurationError) -> Choice
        where Choice.RawValue == String {
            let value = try single()
            guard let choice = Choice(rawValue: value) else {
                throw .invalid(
                    key: key, value: value, source: source,
                    accepted: Choice.allCases.map(\.rawValue).joined(separator: " or "))
            }
            return choice
        }
        func onOff() throws(ConfigurationError) -> Bool {
            let value = try single()
            guard let flag = Self.boolean(value) else {
                throw .invalid(key: key, value: value, source: source, accepted: "on or off")
            }
            return flag
        }
        func integer(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            let value = try single()
            guard let number = Int(value), range.contains(number) else {
                throw .invalid(
                    key: key, value: value, source: source,
                    accepted: "an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        switch key {
        case "mode": mode = try choice(BoxConfiguration.Mode.self)
        case "data": dataDirectory = try single()
        case "host": host = try single()
        case "port": port = try integer(1...65535)
        case "audio_rate": audioRate = try integer(8_000...192_000)
        case "audio_channels": audioChannels = try integer(1...8)
        case "audio_period_ms": audioPeriodMilliseconds = try integer(1...100)
        case "audio_periods": audioPeriods = try integer(2...16)
        case "library":
            guard list.allSatisfy({ !$0.isEmpty }) else {
                throw .invalid(key: key, value: "", source: source, accepted: "folder paths")
            }
            libraries = list
        case "audio_device": audioDevice = try single()
        case "admin_password":
            let value = try single()
            if value == BoxConfiguration.maskedSecret { return }  // stored by `ravebox setup`: keep it
            guard BoxConfiguration.passwordProblem(value) == nil else {
                throw .invalid(
                    key: key, value: "(hidden)", source: source,
                    accepted: """
                        at least \(BoxConfiguration.minimumPasswordLength) characters and at most \
                        \(BoxConfiguration.maximumPasswordBytes) bytes
                        """)
            }
            adminPassword = value
        case "admin_password_hash":
            let value = try single()
            guard Self.isBcryptHash(value) else {
                throw .invalid(
                    key: key, value: "(hidden)", source: source,
                    accepted: "a bcrypt hash ($2b$, two cost digits, $, 53 characters), as ravebox setup writes it")
            }
            adminPasswordHash = value
        case "hostname":
            let value = try single().lowercased()
            guard Self.isHostName(value) else {
                throw .invalid(
                    key: key, value: value, source: source,
                    accepted: "a host name of letters, digits, '-' and '.', such as ravebox.lan")
            }
            hostname = value
        case "wifi_name", "wifi_client_name":
            let value = try single()
            guard (1...32).contains(value.utf8.count) else {
                throw .invalid(key: key, value: value, source: source, accepted: "1 to 32 bytes")
            }
            if key == "wifi_name" { wifiName = value } else { clientNetworkName = value }
        case "wifi_security": wifiSecurity = try choice(WiFiSecurity.self)
        case "wifi_password", "wifi_client_password":
            let value = try single()
            if value == BoxConfiguration.maskedSecret { return }
            // Empty means none: an open home network, or the hotspot's own (made-up) password.
            let hotspot = key == "wifi_password"
            if !value.isEmpty,
                let problem = hotspot ? WiFiPassword.hotspotProblem(value) : WiFiPassword.clientProblem(value)
            {
                throw .invalid(key: key, value: "(hidden)", source: source, accepted: problem + ", or empty")
            }
            if hotspot { wifiPassword = value } else { clientNetworkPassword = value }
        case "country":
            let value = try single().uppercased()
            guard value.utf8.count == 2, value.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw .invalid(key: key, value: value, source: source, accepted: "a two-letter country code such as DE")
            }
            country = value
        case "hotspot":
            let value = try single()
            if Self.boolean(value) == false {
                hotspotInterface = .some(nil)
            } else if Self.isInterfaceName(value) {
                hotspotInterface = .some(value)
            } else {
                throw .invalid(
                    key: key, value: value, source: source, accepted: "off or a Wi-Fi interface such as wlan0")
            }
        case "uplink_forwarding": uplinkForwarding = try onOff()
        case "dac": dac = try choice(ApplianceConfiguration.DAC.self)
        case "audio_source": audioSource = try choice(BoxConfiguration.AudioSource.self)
        case "leds":
            throw .invalid(
                key: key, value: list.joined(separator: ", "), source: source,
                accepted: "a list of outputs in the configuration file (see README)")
        case "audio_sync":
            let value = try single()
            if let flag = Self.boolean(value) {
                audioSync = .some(flag ? LightsConfiguration.defaultAudioSync : nil)
            } else if let target = Self.networkTarget(value, defaultPort: LightsConfiguration.defaultAudioSync.port) {
                audioSync = .some(target)
            } else {
                throw .invalid(
                    key: key, value: value, source: source,
                    accepted: "off, on (239.0.0.1:11988) or host[:port]")
            }
        case "buttons":
            let value = try single()
            guard let flag = Self.boolean(value) else {
                throw .invalid(
                    key: key, value: value, source: source, accepted: "on, off or a mapping (see docs/buttons.md)")
            }
            buttons = flag ? .on : .off
        case "screen": screen = try onOff()
        case "onboard_leds": onboardLEDs = try onOff()
        case "capture_device": captureDevice = try single()
        case "snapcast_fifo":
            let value = try single()
            guard value.hasPrefix("/") else {
                throw .invalid(
                    key: key, value: value, source: source, accepted: "an absolute path such as /tmp/snapfifo")
            }
            snapcastFIFO = value
        case "usb_root":
            let value = try single()
            guard value.hasPrefix("/") else {
                throw .invalid(
                    key: key, value: value, source: source, accepted: "an absolute path such as /media/ravebox")
            }
            usbRoot = value
        default:
            throw .unknownKey(key: key, source: source, accepted: Self.yamlKeys)
        }
    }

    /// `$2a$`, `$2b$` or `$2y$`, two cost digits, `$`, then 22 characters of salt and 31 of hash in bcrypt's
    /// base-64 alphabet.
    static func isBcryptHash(_ text: String) -> Bool {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].isEmpty && ["2a", "2b", "2y"].contains(parts[1])
            && parts[2].count == 2 && parts[2].allSatisfy(\.isNumber) && parts[3].utf8.count == 53
            && parts[3].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "/") }
    }

    /// A Linux network interface name: 1 to 15 letters, digits, `-`, `_` or `.`.
    static func isInterfaceName(_ name: String) -> Bool {
        (1...15).contains(name.utf8.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// Letters, digits and hyphens in dot-separated labels of 1 to 63 characters (RFC 1123).
    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
