/// What a gesture asks the box to do; the engine carries it out (with the rules that apply: the alarm's cooldown
/// and yes/no sounds, the skip being a mod-level action, ...).
public enum ButtonAction: Sendable, Hashable, CustomStringConvertible {
    /// Pause, or resume.
    case playPause
    /// Skip the current song (a mod-level action: the buttons act with the box's own authority).
    case skip
    /// Vote the current song up.
    case voteUp
    /// Raveberry's buzzer: sound the alarm, subject to `buzzerCooldown` and `buzzerSuccessProbability`.
    case alarm
    /// Shut the box down cleanly.
    case shutdown
    /// Show the join QR code on the screen for `seconds`.
    case showJoinQR(seconds: Int)
    /// Turn the volume up (positive) or down (negative) by this many encoder detents.
    case volume(steps: Int)

    /// The action as written in ravebox.yaml's `bindings`: `play_pause`, `skip`, `vote_up`, `alarm`, `shutdown`,
    /// `show_join_qr 30`, `volume 1`.
    public var description: String {
        switch self {
        case .playPause: "play_pause"
        case .skip: "skip"
        case .voteUp: "vote_up"
        case .alarm: "alarm"
        case .shutdown: "shutdown"
        case .showJoinQR(let seconds): "show_join_qr \(seconds)"
        case .volume(let steps): "volume \(steps)"
        }
    }

    /// Parses ``description``'s form; `show_join_qr` alone means 30 s. `nil` for anything else.
    public init?(configText text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch (words.first, words.count) {
        case ("play_pause", 1): self = .playPause
        case ("skip", 1): self = .skip
        case ("vote_up", 1): self = .voteUp
        case ("alarm", 1): self = .alarm
        case ("shutdown", 1): self = .shutdown
        case ("show_join_qr", 1): self = .showJoinQR(seconds: 30)
        case ("show_join_qr", 2):
            guard let seconds = Int(words[1]), seconds > 0 else { return nil }
            self = .showJoinQR(seconds: seconds)
        case ("volume", 2):
            guard let steps = Int(words[1]) else { return nil }
            self = .volume(steps: steps)
        default: return nil
        }
    }
}
