/// A song of the music library.
public struct Song: Sendable, Codable, Equatable, Hashable {
    /// Library id (stable across rescans of the same path).
    public var id: Int64
    /// Absolute path of the audio file.
    public var path: String
    public var title: String
    public var artist: String
    public var album: String
    /// Length in seconds.
    public var duration: Double

    public init(id: Int64, path: String, title: String, artist: String, album: String, duration: Double) {
        self.id = id
        self.path = path
        self.title = title
        self.artist = artist
        self.album = album
        self.duration = duration
    }

    /// "Artist – Title", or the title alone when the artist is unknown (Raveberry's display name).
    public var displayName: String {
        artist.isEmpty ? title : "\(artist) – \(title)"
    }
}
