import RaveboxCore

/// Everything the screen shows in one frame. The engine fills it from the analyser, the queue and the
/// settings; the renderer only reads it, so a frame is a pure function of the model, the layout and the size.
public struct ScreenModel: Sendable, Equatable {
    /// A song as the screen shows it.
    public struct Song: Sendable, Equatable {
        /// The song's title, any Unicode; the renderer clips it to its box with an ellipsis.
        public var title: String
        /// The artist, any Unicode.
        public var artist: String
        /// Net votes (up minus down), shown next to an upcoming song.
        public var votes: Int

        /// A song with a title, an artist and its net votes.
        public init(title: String, artist: String, votes: Int = 0) {
            self.title = title
            self.artist = artist
            self.votes = votes
        }
    }

    /// The song playing and where it is.
    public struct Playing: Sendable, Equatable {
        /// Title and artist.
        public var song: Song
        /// Seconds since the song started, excluding pauses.
        public var elapsed: Double
        /// Length of the song in seconds; 0 when unknown (a stream).
        public var duration: Double

        /// Played fraction, 0...1 (0 when the duration is unknown).
        public var progress: Double {
            guard duration > 0 else { return 0 }
            return min(max(elapsed / duration, 0), 1)
        }

        /// The current song at `elapsed` seconds of `duration`.
        public init(song: Song, elapsed: Double, duration: Double) {
            self.song = song
            self.elapsed = elapsed
            self.duration = duration
        }
    }

    /// The box's Wi-Fi, for the join panel's first QR code.
    public struct WiFi: Sendable, Equatable {
        /// The network name (SSID).
        public var name: String
        /// The WPA passphrase; `nil` or empty for an open network.
        public var password: String?

        /// A network called `name`, open when `password` is `nil`.
        public init(name: String, password: String?) {
            self.name = name
            self.password = password
        }
    }

    /// Spectrum bands, each 0...1 (values outside are clamped), low to high frequency.
    public var bands: [Float]
    /// Beat intensity, 1 on a detected beat and decaying to 0 (the engine owns the decay).
    public var beat: Float
    /// Overall loudness, 0...1.
    public var level: Float
    /// The song playing, `nil` when the queue is empty.
    public var current: Playing?
    /// The next songs in queue order; the layouts show as many as fit (at most `maximumUpcoming`).
    public var upcoming: [Song]
    /// The current hashtag without the `#`, empty for none.
    public var hashtag: String
    /// Party mode: a badge and a warmer palette.
    public var partyMode: Bool
    /// The alarm's flash strength 0...1 while the alarm sounds, `nil` otherwise.
    public var alarmFactor: Float?
    /// The box's Wi-Fi for the join panel, `nil` to show only the URL.
    public var wifi: WiFi?
    /// The voting page's address, shown as text and as a QR code on the join panel.
    public var url: String
    /// While the box has no admin password, its first-run setup code (`K7QM-2XWD`), shown over every
    /// layout so whoever is at the box can claim it; empty once it is claimed.
    public var setupCode: String = ""
    /// A one-time mod log-in code a phone asked for (`K7QM-2XWD`), shown over every layout while it is valid;
    /// empty when none is.
    public var modCode: String = ""

    /// How many upcoming songs a layout shows at most.
    public static let maximumUpcoming = 5

    /// A model; every field has a quiet default so tests and the engine set only what they know.
    public init(
        bands: [Float] = [], beat: Float = 0, level: Float = 0, current: Playing? = nil, upcoming: [Song] = [],
        hashtag: String = "", partyMode: Bool = false, alarmFactor: Float? = nil, wifi: WiFi? = nil,
        url: String = ""
    ) {
        self.bands = bands
        self.beat = beat
        self.level = level
        self.current = current
        self.upcoming = upcoming
        self.hashtag = hashtag
        self.partyMode = partyMode
        self.alarmFactor = alarmFactor
        self.wifi = wifi
        self.url = url
    }
}

extension ScreenModel.Song {
    /// A queued song as the screen lists it.
    public init(_ entry: QueueEntry) {
        self.init(title: entry.title, artist: entry.artist, votes: entry.votes)
    }
}

extension ScreenModel.Playing {
    /// The song playing, `elapsed` seconds in.
    public init(_ song: CurrentSong, elapsed: Double) {
        self.init(
            song: ScreenModel.Song(title: song.title, artist: song.artist, votes: song.votes), elapsed: elapsed,
            duration: song.duration)
    }
}
