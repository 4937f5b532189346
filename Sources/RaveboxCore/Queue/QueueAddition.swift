/// A song about to be queued, before the store has given it an entry id.
///
/// The store inserts one row per addition (getting its id), turns each into a ``QueueItem`` with
/// ``item(id:)`` and lets ``SongQueue/enqueue(_:first:)`` place them; the initial votes come from
/// ``initialBallots``.
public struct QueueAddition: Sendable, Equatable, Hashable {
    public var songID: Int64
    /// Voter key of the guest who asked, or `nil` when the box adds the song (autoplay, repeat).
    public var requester: String?
    /// `true` for a single-song request; `false` for the songs of a folder or playlist request, autoplay
    /// and repeat.
    public var manuallyRequested: Bool
    /// Unix time in seconds.
    public var requestedAt: Double

    public init(songID: Int64, requester: String?, manuallyRequested: Bool, requestedAt: Double) {
        self.songID = songID
        self.requester = requester
        self.manuallyRequested = manuallyRequested
        self.requestedAt = requestedAt
    }

    /// The votes the entry starts with: the requester's +1 for a manual request, none otherwise. Songs of
    /// a folder request start at 0 as in Raveberry, so one request cannot hand out ten upvotes; they still
    /// carry the requester for fairness and the per-guest limit.
    public var initialBallots: Ballots {
        manuallyRequested ? Ballots(requester: requester) : Ballots()
    }

    /// The queue item for this addition once the store has assigned `id`; its position is set by
    /// ``SongQueue/enqueue(_:first:)``.
    public func item(id: Int64) -> QueueItem {
        QueueItem(
            id: id, songID: songID, position: 0, votes: initialBallots.net, requester: requester,
            manuallyRequested: manuallyRequested, requestedAt: requestedAt)
    }
}
