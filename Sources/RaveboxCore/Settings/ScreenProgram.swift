/// What the box's screen shows (setting `screenProgram`); raw values are the screen layouts' program names.
public enum ScreenProgram: String, Sendable, Codable, CaseIterable {
    /// The screen stays dark.
    case disabled
    /// Spectrum bars with the current song.
    case bars
    /// The spectrum around a circle.
    case circle
    /// A shape beating with the music.
    case pulse
    /// The current song, its progress and the next songs with their votes.
    case nowPlaying = "now-playing"
    /// QR codes for the Wi-Fi and the party page, with the same text.
    case join
}
