/// A song waiting in the queue, as guests see it.
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

    public init(
        id: Int64, songID: Int64, position: Int, votes: Int, title: String, artist: String, duration: Double
    ) {
        self.id = id
        self.songID = songID
        self.position = position
        self.votes = votes
        self.title = title
        self.artist = artist
        self.duration = duration
    }

    enum CodingKeys: String, CodingKey {
        case id
        case songID = "songId"
        case position, votes, title, artist, duration
    }
}
