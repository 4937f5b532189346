/// Where a library playlist comes from.
public enum PlaylistKind: String, Sendable, Codable {
    /// A folder of songs, in file-name order (an album folder).
    case folder
    /// An `.m3u` or `.m3u8` file.
    case m3u
}

/// A library playlist as guests see it in search results.
public struct PlaylistSummary: Sendable, Equatable, Codable {
    /// Library id (stable across rescans of the same source).
    public var id: Int64
    public var name: String
    public var kind: PlaylistKind
    /// How many of its songs are available now.
    public var songCount: Int

    public init(id: Int64, name: String, kind: PlaylistKind, songCount: Int) {
        self.id = id
        self.name = name
        self.kind = kind
        self.songCount = songCount
    }
}
