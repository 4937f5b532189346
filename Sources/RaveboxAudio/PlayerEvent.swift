import RaveboxCore

/// Something that happened to a song, reported by `Player.nextEvent()` in the order it happened.
///
/// Each carries the token the engine passed to `Player.play(path:from:token:)`. Every song that was asked to
/// play ends with exactly one of `.finished`, `.failed` or `.stopped`; `.started` comes first unless it failed
/// before a single frame reached the device.
public enum PlayerEvent: Sendable, Hashable {
    /// The first frames of the song reached the audio device.
    case started(Int64)
    /// The song played to its end (the device played its last frame).
    case finished(Int64)
    /// The song could not be played; `reason` is one sentence for guests (`DecodeError.reason`).
    case failed(Int64, reason: String)
    /// The song was cut short by `stop()`, another `play`, or `shutdown()`.
    case stopped(Int64)

    /// The token of the song the event is about.
    public var token: Int64 {
        switch self {
        case .started(let token), .finished(let token), .failed(let token, _), .stopped(let token): token
        }
    }
}
