/// What a sound handed to the ``Player`` is, told apart by the player's `Int64` token. The player only
/// compares tokens; this is the one place that encodes and decodes them.
///
/// ```swift
/// player.play(path: song.path, token: PlayToken.play(song.playID).rawValue)
/// if case .preload(let entryID) = PlayToken(rawValue: event.token) { ... }
/// ```
enum PlayToken: Hashable, Sendable {
    /// A song of the play log: its play id (> 0).
    case play(Int64)
    /// A queue entry handed to the player to follow the current song without a gap, by its entry id (> 0).
    case preload(entryID: Int64)
    /// The `n`th alarm or buzzer sound since the engine started (n ≥ 1).
    case alarm(Int64)

    /// Alarm tokens count up from `Int64.min`; preload tokens count down from -1; the two never meet.
    private static let alarmBase = Int64.min

    /// The player's token.
    var rawValue: Int64 {
        switch self {
        case .play(let playID): playID
        case .preload(let entryID): -entryID
        case .alarm(let n): Self.alarmBase + n
        }
    }

    /// The sound a player token names; nil for 0 (no sound).
    init?(rawValue: Int64) {
        if rawValue > 0 {
            self = .play(rawValue)
        } else if rawValue == 0 {
            return nil
        } else if rawValue < Self.alarmBase / 2 {
            self = .alarm(rawValue - Self.alarmBase)
        } else {
            self = .preload(entryID: -rawValue)
        }
    }
}
