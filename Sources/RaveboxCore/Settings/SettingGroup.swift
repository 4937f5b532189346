/// The section of the admin's settings page a setting belongs to.
public enum SettingGroup: String, Sendable, Codable, CaseIterable {
    /// Who may vote and how votes act: interactivity, kick threshold, fairness, colours.
    case voting
    /// What may be requested and where it goes: limits, cooldown, forbidden words, suggestions.
    case requests
    /// Party mode, the alarm and buzzer, hashtags.
    case party
    /// What the box records and who may listen to its stream.
    case privacy
}
