/// Everything a guest's page shows, as one JSON document (`GET /api/state` and every `/api/live` message).
public struct PartyState: Sendable, Codable, Equatable {
    /// `idle`, `playing`, `paused`, or `alarm` while the alarm sounds (the song waits at its position).
    public enum Playback: String, Sendable, Codable {
        case idle, playing, paused, alarm
    }

    /// The last song that could not be played, and why, in words a guest understands.
    public struct Failure: Sendable, Codable, Equatable {
        public var songID: Int64
        public var title: String
        public var reason: String

        public init(songID: Int64, title: String, reason: String) {
            self.songID = songID
            self.title = title
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case songID = "songId"
            case title, reason
        }
    }

    public var playback: Playback
    /// Software volume, 0...1.
    public var volume: Double
    public var currentSong: CurrentSong?
    public var queue: [QueueEntry]
    public var lastFailure: Failure?
    /// Whether the engine process is alive (its heartbeat is fresh).
    public var engineOnline: Bool
    /// Who may do what, and whether the queue is ordered by votes.
    public var interactivity: Interactivity
    /// Shuffle, repeat and autoplay.
    public var modes: PlaybackModes
    /// Distinct guests who requested something in the last 10 minutes.
    public var activeGuests: Int
    /// Whether the party is big enough for party mode (`peopleToParty`).
    public var partyMode: Bool
    /// Distinct sessions that have visited.
    public var visitors: Int
    /// The newest active hashtag, or `nil` when hashtags are off or none was added.
    public var hashtag: String?

    public init(
        playback: Playback, volume: Double, currentSong: CurrentSong?, queue: [QueueEntry], lastFailure: Failure?,
        engineOnline: Bool, interactivity: Interactivity = .upAndDown, modes: PlaybackModes = PlaybackModes(),
        activeGuests: Int = 0, partyMode: Bool = false, visitors: Int = 0, hashtag: String? = nil
    ) {
        self.playback = playback
        self.volume = volume
        self.currentSong = currentSong
        self.queue = queue
        self.lastFailure = lastFailure
        self.engineOnline = engineOnline
        self.interactivity = interactivity
        self.modes = modes
        self.activeGuests = activeGuests
        self.partyMode = partyMode
        self.visitors = visitors
        self.hashtag = hashtag
    }
}
