/// What the screen shows: the screen programs a guest or the admin picks. The raw value is the program's
/// name in settings, the API and the button gestures.
public enum ScreenLayout: String, Sendable, CaseIterable, Codable {
    /// Spectrum bars with the current song along the bottom.
    case bars
    /// Spectrum bars around a circle with the current song along the bottom.
    case circle
    /// A beat-reactive disc: grows with the level, flashes on beats.
    case pulse
    /// The current song large, its progress, the next songs with their votes and a small spectrum.
    case nowPlaying = "now-playing"
    /// How to join: QR codes for the Wi-Fi and the voting page's address, and both as text.
    case join
}
