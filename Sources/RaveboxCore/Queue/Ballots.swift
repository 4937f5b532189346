/// The votes on one queued or playing song, at most one per voter, and their sum.
///
/// The rule: setting a vote replaces the voter's previous one, `none` removes it, and ``net`` is the sum.
/// The store keeps the same thing as rows `(entry, voter) → vote` plus the net votes on the entry, which it
/// moves by the change ``cast(_:by:)`` returns (no re-summing per vote); the store's model-based property
/// test checks that its sums and this type agree after every step.
///
/// ```swift
/// var ballots = Ballots(requester: "session:abc")  // the request is the requester's +1
/// ballots.cast(.down, by: "device:10.0.0.7")
/// ballots.cast(.down, by: "device:10.0.0.7")      // idempotent: still one downvote
/// ballots.net                                      // 0
/// ```
public struct Ballots: Sendable, Equatable {
    /// Each voter's current vote; voters without a vote are absent (never `.none`).
    public private(set) var votes: [String: Vote]

    /// No votes yet (a song the box added: autoplay, repeat, a playlist).
    public init() { votes = [:] }

    /// A song requested by `requester`, whose request counts as their upvote.
    public init(requester: String?) {
        votes = [:]
        if let requester { votes[requester] = .up }
    }

    /// Net votes: the sum of all votes.
    public var net: Int { votes.values.reduce(0) { $0 + $1.rawValue } }

    /// The voter's current vote (`.none` when they have not voted).
    public func vote(of voter: String) -> Vote { votes[voter] ?? .none }

    /// Sets `voter`'s vote, replacing any earlier one.
    ///
    /// - Returns: the change in net votes (−2...2; 0 when the vote was already set).
    @discardableResult
    public mutating func cast(_ vote: Vote, by voter: String) -> Int {
        let previous = self.vote(of: voter)
        votes[voter] = vote == .none ? nil : vote
        return vote.rawValue - previous.rawValue
    }
}
