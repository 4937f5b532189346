/// One voter's vote on one song: down, none or up.
///
/// Votes are idempotent: a voter *sets* their vote (Raveberry sent ±1/±2 deltas and kept a per-IP ledger
/// to catch cheating). Sending the same vote twice changes nothing; switching from up to down moves the
/// net votes by two. A song's net votes are the sum of its voters' votes (see ``Ballots``); the requester's
/// request counts as their `up`.
public enum Vote: Int, Sendable, Codable, CaseIterable {
    case down = -1
    /// No vote: withdraws an earlier up or down.
    case none = 0
    case up = 1

    /// Reads a vote as sent by a client (`{"vote": -1|0|1}`).
    ///
    /// - Throws: ``RuleError/badRequest(_:)`` for anything but −1, 0 or 1.
    public init(value: Int) throws(RuleError) {
        guard let vote = Vote(rawValue: value) else {
            throw .badRequest("A vote is -1, 0 or 1.")
        }
        self = vote
    }
}
