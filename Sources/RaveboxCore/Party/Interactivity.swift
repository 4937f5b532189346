/// How much say guests have: the setting `interactivity`. Mods and admins always have every control;
/// this only decides what a guest may do and how the queue is ordered.
///
/// | Level | Guests' controls | Play order | Guests' votes |
/// |---|---|---|---|
/// | `fullControl` | playback and queue controls | manual position | off |
/// | `upAndDown` | none | votes, then position | up and down |
/// | `upvotesOnly` | none | votes, then position | up only (a downvote is refused) |
/// | `noControl` | none | manual position | off: guests request and watch |
///
/// Everybody may request songs at every level. Raw values are the setting's stored strings.
public enum Interactivity: String, Sendable, Codable, CaseIterable {
    /// Every guest may play, pause, skip, prioritize, remove and reorder; the queue plays in its manual
    /// order and nobody votes (Raveberry's "Full Public Control").
    case fullControl
    /// Guests vote songs up and down; the queue plays by votes (Raveberry's "Up- and Downvoting").
    case upAndDown
    /// Guests vote songs up only; a downvote is refused with a sentence (Raveberry's "Upvotes Only", where
    /// the server accepted downvotes anyway: here it does not).
    case upvotesOnly
    /// Guests only request and watch; mods and admins arrange the queue (Raveberry's "No Control").
    case noControl

    /// Whether the queue plays in order of votes (then position) rather than by position alone.
    public var ordersByVotes: Bool {
        switch self {
        case .upAndDown, .upvotesOnly: true
        case .fullControl, .noControl: false
        }
    }

    /// Whether votes are taken at all. In the positional levels votes would not change anything a guest
    /// can see, so they are refused rather than silently ignored.
    public var acceptsVotes: Bool { ordersByVotes }

    /// Whether a vote of −1 is taken.
    public var acceptsDownvotes: Bool { self == .upAndDown }

    /// Whether guests (not only mods and admins) get playback and queue controls.
    public var guestsHaveControls: Bool { self == .fullControl }

    /// Whether the `shuffle` playback mode picks the next song. Voting levels ignore it: the party's votes
    /// pick the next song there (reference §4.6).
    public var honoursShuffle: Bool { !ordersByVotes }

    /// A short name for the settings page.
    public var title: String {
        switch self {
        case .fullControl: "Full public control"
        case .upAndDown: "Up- and downvoting"
        case .upvotesOnly: "Upvotes only"
        case .noControl: "No control"
        }
    }
}
