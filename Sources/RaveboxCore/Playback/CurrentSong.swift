/// The song being played (or paused), as stored and as guests see it.
public struct CurrentSong: Sendable, Codable, Equatable {
    /// Id of this play in the play log: one per time a song starts, used to match the player's events to the play it belongs to.
    public var playID: Int64
    /// Id the request had in the queue; votes on the current song use it (0 for a song without a request).
    public var entryID: Int64
    public var songID: Int64
    public var title: String
    public var artist: String
    /// Seconds.
    public var duration: Double
    /// Seconds since the song started, excluding pauses.
    public var position: Double
    /// Net votes the entry had when it left the queue.
    public var votes: Int
    /// Absolute path of the audio file.
    public var path: String

    public init(
        playID: Int64, entryID: Int64 = 0, songID: Int64, title: String, artist: String, duration: Double,
        position: Double,
        votes: Int, path: String
    ) {
        self.playID = playID
        self.entryID = entryID
        self.songID = songID
        self.title = title
        self.artist = artist
        self.duration = duration
        self.position = position
        self.votes = votes
        self.path = path
    }

    /// The file path stays on the box: it is neither encoded nor expected when decoding.
    enum CodingKeys: String, CodingKey {
        case playID = "playId"
        case entryID = "entryId"
        case songID = "songId"
        case title, artist, duration, position, votes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            playID: try container.decode(Int64.self, forKey: .playID),
            entryID: try container.decode(Int64.self, forKey: .entryID),
            songID: try container.decode(Int64.self, forKey: .songID),
            title: try container.decode(String.self, forKey: .title),
            artist: try container.decode(String.self, forKey: .artist),
            duration: try container.decode(Double.self, forKey: .duration),
            position: try container.decode(Double.self, forKey: .position),
            votes: try container.decode(Int.self, forKey: .votes), path: "")
    }
}
