/// The appliance's own network and hardware choices (`country`, `hotspot`, `wifi_client_name`,
/// `wifi_client_password`, `uplink_forwarding`, `dac`): read by `ravebox setup` on the image, which turns them into
/// the hotspot, DHCP/DNS, firewall and `config.txt` settings, and by the supervisor for the status LED.
public struct ApplianceConfiguration: Sendable, Equatable, Codable {
    /// An I2S DAC hat to enable in `config.txt`, or none (the Pi's own audio or a USB card).
    public enum DAC: String, Sendable, Codable, CaseIterable {
        case none
        case i2s
    }

    /// ISO 3166-1 alpha-2 country code for the Wi-Fi regulatory domain (`country: DE`); nil = the world domain.
    public var country: String?
    /// The interface the hotspot runs on (`hotspot: wlan0`), nil = no hotspot (`hotspot: off`).
    public var hotspotInterface: String?
    /// A home Wi-Fi network to join as a client (`wifi_client_name`/`wifi_client_password`), on the interface after
    /// the hotspot's when there is one, else instead of the hotspot.
    public var clientNetworkName: String?
    public var clientNetworkPassword: String?
    /// Whether guests on the hotspot may reach the internet through the box's uplink (`uplink_forwarding`).
    public var uplinkForwarding = false
    /// `dac: i2s` enables the I2S DAC overlay.
    public var dac: DAC = .none

    public init(
        country: String? = nil, hotspotInterface: String? = nil, clientNetworkName: String? = nil,
        clientNetworkPassword: String? = nil, uplinkForwarding: Bool = false, dac: DAC = .none
    ) {
        self.country = country
        self.hotspotInterface = hotspotInterface
        self.clientNetworkName = clientNetworkName
        self.clientNetworkPassword = clientNetworkPassword
        self.uplinkForwarding = uplinkForwarding
        self.dac = dac
    }
}

extension BoxConfiguration {
    /// What a secret reads as in ravebox.yaml once `ravebox setup` has stored it on the data partition: a value
    /// that means "keep the stored one" wherever it appears.
    public static let maskedSecret = "********"
}
