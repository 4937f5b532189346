/// How many net downvotes send a song away: a queued song at or below −``votes`` leaves the queue; the
/// current song at or below it is skipped.
///
/// With the defaults (`downvotesToKick` 2, share off) a song leaves at net −2. A requested song starts at
/// +1 (its requester's vote), so it takes three downvotes from others, or two and the requester changing
/// their mind; a song the box added (autoplay, repeat) starts at 0 and goes after two.
///
/// ## Combining the absolute and the share setting
///
/// `downvoteShareToKick` is for large parties, where two downvotes among a hundred guests should not be
/// enough. When it is above 0 the threshold is the largest of:
/// - `downvotesToKick` (the admin's chosen minimum: turning the share on never makes kicking easier),
/// - `ceil(share × active guests)`,
/// - 2 (one guest alone can never kick a song through the share rule).
///
/// So with `downvotesToKick` 2 and share 0.3: 3 active guests → 2; 10 → 3; 100 → 30.
///
/// This is the only statement of the rule: the store builds the threshold for the party's size
/// (`Store.kickThreshold(settings:now:)`) and applies ``outcome(netVotes:isCurrentSong:)`` inside each
/// vote's transaction, for guests' votes and the box's vote-up button alike.
public struct KickThreshold: Sendable, Equatable {
    /// Net downvotes needed, as a positive number (2 means "at −2 or below").
    public var votes: Int

    public init(votes: Int) {
        self.votes = max(1, votes)
    }

    /// The threshold for the current settings and party size.
    ///
    /// - Parameter activeGuests: distinct voters active in the last 10 minutes (``ActiveGuests/count(_:now:)``).
    public init(settings: BoxSettings, activeGuests: Int) {
        self.init(
            downvotesToKick: settings.downvotesToKick, downvoteShareToKick: settings.downvoteShareToKick,
            activeGuests: activeGuests)
    }

    /// The threshold from the two settings' values; see the type's documentation for how they combine.
    public init(downvotesToKick: Int, downvoteShareToKick: Double, activeGuests: Int) {
        var votes = max(1, downvotesToKick)
        if downvoteShareToKick > 0 {
            // Subtract a hair before rounding up so that 0.3 × 10 (3.0000000000000004 in binary) is 3, not 4.
            let share = (downvoteShareToKick * Double(max(0, activeGuests)) - 1e-9).rounded(.up)
            votes = max(votes, Int(share), 2)
        }
        self.votes = votes
    }

    /// What happens to a song whose net votes are now `netVotes`.
    public func outcome(netVotes: Int, isCurrentSong: Bool) -> Outcome {
        guard netVotes <= -votes else { return .stays }
        return isCurrentSong ? .skipsCurrentSong : .leavesQueue
    }

    /// What a vote did to its song.
    public enum Outcome: Sendable, Equatable {
        /// The song keeps its place (its order may change in voting levels).
        case stays
        /// The queued song reached the threshold and is removed from the queue.
        case leavesQueue
        /// The playing song reached the threshold and is skipped, as if a mod pressed skip.
        case skipsCurrentSong
    }
}
