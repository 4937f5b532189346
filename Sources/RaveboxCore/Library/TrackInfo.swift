/// What the library scan stores about one audio file.
public struct TrackInfo: Sendable, Hashable {
    /// The title tag; without one, the title part of an "Artist - Title" file name, else the file name
    /// without its extension.
    public var title: String
    /// The artist tag (falling back to "album_artist", then to the artist part of an "Artist - Title" file
    /// name); nil when none of them says.
    public var artist: String?
    /// The album tag; nil when absent.
    public var album: String?
    /// Position on the album, from the "track" tag ("3/12" → 3; "tracknumber" as fallback); nil when absent,
    /// zero or not a number.
    public var track: Int?
    /// Year of release: the first four-digit number of the "date" tag ("1999-05-01" → 1999), else of "year".
    public var year: Int?
    /// The genre tag; nil when absent.
    public var genre: String?
    /// Length in seconds as the file declares it; nil when it does not say.
    public var duration: Double?

    public init(
        title: String, artist: String? = nil, album: String? = nil, track: Int? = nil, year: Int? = nil,
        genre: String? = nil, duration: Double? = nil
    ) {
        self.title = title
        self.artist = artist
        self.album = album
        self.track = track
        self.year = year
        self.genre = genre
        self.duration = duration
    }
}
