/// How guests' phones connect to the hotspot (`wifi_security` in ravebox.yaml).
///
/// Which of these a radio can run is decided when the hotspot starts (``RadioCapabilities``): a mode the radio
/// cannot run falls back to ``fallback``, with one log line.
public enum WiFiSecurity: String, Sendable, Codable, CaseIterable {
    /// An open network: nothing on the air is encrypted.
    case open
    /// Wi-Fi Enhanced Open (OWE, RFC 8110): no password, but each phone's traffic is encrypted with a key of its
    /// own. A second, open network beside it (OWE transition mode) lets phones that do not know OWE join too; they
    /// stay unencrypted.
    case owe
    /// WPA2-Personal with a password (the one in `wifi_password`, or one the box makes up once).
    case wpa2
    /// WPA3-Personal (SAE) with WPA2 beside it on the same network for phones that do not know WPA3 (transition
    /// mode), one password for both.
    case wpa3

    /// Whether the network has a password (WPA2/WPA3); the open and OWE networks have none.
    public var usesPassword: Bool { self == .wpa2 || self == .wpa3 }

    /// What runs instead on a radio that cannot run this mode as an access point; nil when every radio can.
    public var fallback: WiFiSecurity? {
        switch self {
        case .owe: .open
        case .wpa3: .wpa2
        case .open, .wpa2: nil
        }
    }

    /// The mode's name for people, as logs and the README say it.
    public var title: String {
        switch self {
        case .open: "an open network"
        case .owe: "Enhanced Open (OWE) with an open network for older phones"
        case .wpa2: "WPA2 with a password"
        case .wpa3: "WPA3 (SAE) with WPA2 for older phones"
        }
    }
}
