import Foundation
import RaveboxCore

/// What the pages say about where the box is: its name and port (for the captive portal's redirect and
/// the join page), and the hotspot's network name and the password phones need (for the Wi-Fi QR code; nil for an
/// open or OWE network).
public struct SiteInfo: Sendable, Equatable {
    public var hostname: String
    public var port: Int
    public var wifiName: String?
    public var wifiPassword: String?
    /// The LED outputs wired to the box (from `ravebox.yaml`), for the lights page and `/api/lights`.
    public var ledOutputs: [LEDOutputConfiguration] = []
    /// Other names the box answers to as itself: its mDNS names (`ravebox.local`, which avahi publishes for
    /// the system's host name), so a guest on the home network who types one is not sent to `hostname`,
    /// which only the hotspot's DNS knows.
    public var otherNames: [String] = []

    public init(
        hostname: String = "localhost", port: Int = 8080, wifiName: String? = nil, wifiPassword: String? = nil,
        ledOutputs: [LEDOutputConfiguration] = []
    ) {
        self.ledOutputs = ledOutputs
        self.hostname = hostname
        self.port = port
        self.wifiName = wifiName
        self.wifiPassword = wifiPassword
    }

    public init(_ config: BoxConfiguration) {
        self.init(
            hostname: config.hostname, port: config.port, wifiName: config.wifiName,
            wifiPassword: config.hotspotPassword, ledOutputs: config.lights.outputs)
        otherNames = Self.mdnsNames(hostname: config.hostname, systemHostname: Self.systemHostname())
    }

    /// gethostname(2): the name avahi publishes (without a DNS lookup, which Foundation's `hostName` may do).
    static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `<name>.local` for the first label of the configured name and of the system's host name, lowercased,
    /// without duplicates: `("ravebox.lan", "ravebox")` → `["ravebox.local"]`.
    static func mdnsNames(hostname: String, systemHostname: String) -> [String] {
        var names: [String] = []
        for name in [hostname, systemHostname] {
            guard let label = BoxConfiguration.hostLabel(name) else { continue }
            let local = label + ".local"
            if !names.contains(local) { names.append(local) }
        }
        return names
    }

    /// `http://ravebox.lan/`, with the port when it is not 80.
    public var partyURL: String { BoxConfiguration.partyURL(hostname: hostname, port: port) }
}
