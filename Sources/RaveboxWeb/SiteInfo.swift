import RaveboxCore

/// What the pages say about where the box is: its name and port (for the captive portal's redirect and
/// the join page), and the hotspot's network name and password (for the Wi-Fi QR code).
public struct SiteInfo: Sendable, Equatable {
    public var hostname: String
    public var port: Int
    public var wifiName: String?
    public var wifiPassword: String?
    /// The LED outputs wired to the box (from `ravebox.yaml`), for the lights page and `/api/lights`.
    public var ledOutputs: [LEDOutputConfiguration] = []

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
            wifiPassword: config.wifiPassword, ledOutputs: config.lights.outputs)
    }

    /// `http://ravebox.lan/`, with the port when it is not 80.
    public var partyURL: String { "http://\(hostname)\(port == 80 ? "" : ":\(port)")/" }
}
