/// How a play ended, as written to the play log.
public enum PlayOutcome: String, Sendable, Codable {
    /// Still playing (the row was written when the song started).
    case playing
    /// Played to the end.
    case finished
    /// Skipped by a guest, a mod or a vote.
    case skipped
    /// Could not be played; the log row carries the reason.
    case failed
}
