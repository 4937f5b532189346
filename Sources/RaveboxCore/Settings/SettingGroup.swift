/// The section of the admin's settings page a setting belongs to.
public enum SettingGroup: String, Sendable, Codable, CaseIterable {
    /// Who may vote and how votes act: interactivity, kick threshold, fairness, colours.
    case voting
    /// What may be requested and where it goes: limits, cooldown, forbidden words, suggestions.
    case requests
    /// Party mode, the alarm and buzzer, hashtags.
    case party
    /// How the music sounds: loudness normalisation.
    case sound
    /// Where music comes from besides the library: guests' uploads, YouTube and Jamendo when online.
    case sources
    /// How guests' phones meet the box on its Wi-Fi: the captive portal.
    case network

    /// The section's heading on the settings page.
    public var title: String {
        switch self {
        case .voting: "Voting"
        case .requests: "Requests"
        case .party: "Party"
        case .sound: "Sound"
        case .sources: "Music sources"
        case .network: "Network"
        }
    }
}
