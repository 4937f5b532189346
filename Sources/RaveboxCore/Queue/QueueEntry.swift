/// A song waiting in the queue, as guests see it: a ``QueueItem``'s identity, place and votes, with the
/// song's name and length.
public struct QueueEntry: Sendable, Codable, Equatable {
    /// Queue entry id (not the library id: the same song can be queued again later).
    public var id: Int64
    public var songID: Int64
    /// 1-based place in the queue; always 1...n without gaps.
    public var position: Int
    /// Net votes.
    public var votes: Int
    public var title: String
    public var artist: String
    /// Seconds.
    public var duration: Double

    /// The guests' view of a queue item: its rule-facing fields (who asked, when, how) stay on the box.
    public init(_ item: QueueItem, title: String, artist: String, duration: Double) {
        (id, songID, position, votes) = (item.id, item.songID, item.position, item.votes)
        (self.title, self.artist, self.duration) = (title, artist, duration)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case songID = "songId"
        case position, votes, title, artist, duration
    }
}
