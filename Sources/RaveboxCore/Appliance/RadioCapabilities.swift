import Foundation

/// What a Wi-Fi radio can do as an access point, read from `iw phy <phy> info` when the hotspot starts, and so
/// which ``WiFiSecurity`` mode the hotspot runs.
///
/// - WPA2 and an open network: any radio that offers AP mode.
/// - OWE needs hostapd to see each association (to answer the phone's Diffie-Hellman element), which it does on
///   radios whose driver leaves the access point's state machine to hostapd: mac80211 drivers, which say "Driver
///   supports full state transitions for AP/GO clients". FullMAC drivers such as the Raspberry Pi's brcmfmac
///   associate phones in their firmware and give hostapd no way in. OWE also needs management frame protection
///   (the BIP cipher, `00-0f-ac:6`), and transition mode a second access point on the radio (its open network).
/// - WPA3 (SAE) needs the same protection and either hostapd running SAE (a mac80211 driver: "Device supports SAE
///   with AUTHENTICATE command") or firmware that runs it (the extended feature `SAE_OFFLOAD_AP`).
///
/// iw's text is not a stable interface, so anything unreadable counts as "cannot" and the hotspot falls back to
/// a mode every radio runs.
public struct RadioCapabilities: Sendable, Equatable {
    /// Interface modes (`AP`, `managed`, ...).
    public var interfaceModes: Set<String> = []
    /// Cipher suite selectors (`00-0f-ac:4` = CCMP-128, `00-0f-ac:6` = BIP-CMAC-128).
    public var ciphers: Set<String> = []
    /// The most access points the radio runs at once, from its valid interface combinations (1 without any).
    public var accessPoints = 1
    /// hostapd runs the access point's authentication and association (a mac80211 driver).
    public var hostapdRunsAssociation = false
    /// The driver lets hostapd run SAE (`NL80211_FEATURE_SAE`).
    public var saeInHostapd = false
    /// Extended features (`SAE_OFFLOAD_AP`, `4WAY_HANDSHAKE_AP_PSK`, ...).
    public var extendedFeatures: Set<String> = []

    public init() {}

    /// Reads `iw phy <phy> info` (or one phy's part of `iw list`): section headers such as `Supported Ciphers:`
    /// sit one tab in, their items deeper.
    public init(iwInfo text: String) {
        var section = ""
        var combination = ""
        var combinations: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let depth = raw.prefix { $0 == "\t" || $0 == " " }.reduce(0) { $0 + ($1 == "\t" ? 8 : 1) }
            if depth <= 8 {
                section = line.hasSuffix(":") ? line : ""
                if line == "Driver supports full state transitions for AP/GO clients" { hostapdRunsAssociation = true }
                if line == "Device supports SAE with AUTHENTICATE command" { saeInHostapd = true }
                continue
            }
            switch section {
            case "Supported interface modes:" where line.hasPrefix("* "):
                interfaceModes.insert(String(line.dropFirst(2)))
            case "Supported Ciphers:":
                if let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")"), open < close {
                    ciphers.insert(String(line[line.index(after: open)..<close]))
                }
            case "Supported extended features:" where line.hasPrefix("* ["):
                if let close = line.firstIndex(of: "]") {
                    let name = line[line.index(line.startIndex, offsetBy: 3)..<close]
                    extendedFeatures.insert(name.trimmingCharacters(in: .whitespaces))
                }
            case "valid interface combinations:":
                if line.hasPrefix("* ") {
                    if !combination.isEmpty { combinations.append(combination) }
                    combination = String(line.dropFirst(2))
                } else {
                    combination += " " + line
                }
            default:
                break
            }
        }
        if !combination.isEmpty { combinations.append(combination) }
        accessPoints = max(1, combinations.map(Self.accessPoints(in:)).max() ?? 1)
    }

    /// How many access points one combination allows: `#{ managed } <= 1, #{ AP, mesh point } <= 8, total <= 8`
    /// → 8 (the AP limit, no more than the total).
    static func accessPoints(in combination: String) -> Int {
        var limit = 0
        var total = Int.max
        var rest = Substring(combination)
        while let open = rest.range(of: "#{") {
            guard let close = rest[open.upperBound...].range(of: "}") else { break }
            let types = rest[open.upperBound..<close.lowerBound].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            rest = rest[close.upperBound...]
            if types.contains("AP"), let count = Self.number(after: "<=", in: rest) { limit = max(limit, count) }
        }
        if let range = combination.range(of: "total"),
            let count = number(after: "<=", in: combination[range.upperBound...])
        {
            total = count
        }
        return min(limit, total)
    }

    private static func number(after marker: String, in text: Substring) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(String(text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }))
    }

    /// Management frame protection (802.11w), which OWE and WPA3 require.
    public var protectsManagementFrames: Bool { ciphers.contains("00-0f-ac:6") }

    /// Why the radio cannot run `security` as an access point, or nil when it can.
    public func problem(running security: WiFiSecurity) -> String? {
        guard interfaceModes.contains("AP") else { return "it offers no access point mode" }
        switch security {
        case .open, .wpa2:
            return nil
        case .owe:
            if !hostapdRunsAssociation {
                return "its driver associates phones in firmware, where hostapd cannot answer OWE"
            }
            if !protectsManagementFrames { return "it has no management frame protection (BIP), which OWE needs" }
            if accessPoints < 2 {
                return "it runs one access point only, and OWE's open network for older phones is a second"
            }
            return nil
        case .wpa3:
            if !(hostapdRunsAssociation && saeInHostapd) && !extendedFeatures.contains("SAE_OFFLOAD_AP") {
                return "neither hostapd nor its firmware can run SAE"
            }
            if !protectsManagementFrames { return "it has no management frame protection (BIP), which WPA3 needs" }
            return nil
        }
    }

    /// The mode the hotspot runs for `requested`: it, or its fallback with the reason.
    public func choose(_ requested: WiFiSecurity) -> (security: WiFiSecurity, reason: String?) {
        guard let problem = problem(running: requested), let fallback = requested.fallback else {
            return (requested, nil)
        }
        return (fallback, problem)
    }
}
