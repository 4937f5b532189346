/// A queued song as the queue rules see it: identity, place, votes and who asked for it.
///
/// The store maps its rows to these, runs a rule (``SongQueue``, ``QueueOrder``, ``RequestDecision``) and
/// writes back what changed. Titles and durations are not needed by any rule; the guests' view is
/// ``QueueEntry``.
public struct QueueItem: Sendable, Equatable, Hashable, Codable {
    /// Queue entry id (not the library id: the same song can be queued again after it played).
    public var id: Int64
    /// Library id of the song.
    public var songID: Int64
    /// 1-based manual place in the queue; ``SongQueue`` keeps positions 1...n without gaps.
    public var position: Int
    /// Net votes: the sum of the voters' votes, including the requester's +1 (see ``Ballots``).
    public var votes: Int
    /// Voter key (``Voter/key(session:device:oneVotePerDevice:)``) of the guest who requested it, or `nil`
    /// for songs the box added (autoplay, repeat). Fairness counts turns by this key.
    public var requester: String?
    /// Whether a person asked for this very song (a single-song request), as opposed to a song from a
    /// folder or playlist request, autoplay or repeat. Only a manual request starts with the requester's
    /// +1; an autoplayed song that is voted out seeds the next autoplay choice.
    public var manuallyRequested: Bool
    /// When it was requested: Unix time in seconds.
    public var requestedAt: Double

    public init(
        id: Int64, songID: Int64, position: Int, votes: Int, requester: String?, manuallyRequested: Bool,
        requestedAt: Double
    ) {
        self.id = id
        self.songID = songID
        self.position = position
        self.votes = votes
        self.requester = requester
        self.manuallyRequested = manuallyRequested
        self.requestedAt = requestedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case songID = "songId"
        case position, votes, requester, manuallyRequested, requestedAt
    }
}
