/// A song found on an online platform, before it is downloaded.
public struct OnlineTrack: Sendable, Hashable, Codable {
    /// Where it was found.
    public var platform: MusicPlatform
    /// The platform's id ("dQw4w9WgXcQ" on YouTube, "1234" on Jamendo); safe in a file name.
    public var id: String
    /// The song's title.
    public var title: String
    /// The artist, uploader or channel; empty when the platform does not say.
    public var artist: String
    /// Length in seconds; nil when the platform does not say.
    public var duration: Double?
    /// The page guests can open ("https://www.youtube.com/watch?v=…", Jamendo's share URL).
    public var url: String
    /// The file size the download should have, in bytes, when the platform says or it can be estimated.
    public var estimatedSize: Int64?
    /// Where the audio itself is fetched from, when the platform gives a direct address (Jamendo's `audio`).
    public var audioURL: String?

    /// A found song.
    public init(
        platform: MusicPlatform, id: String, title: String, artist: String, duration: Double?, url: String,
        estimatedSize: Int64?, audioURL: String? = nil
    ) {
        self.platform = platform
        self.id = id
        self.title = title
        self.artist = artist
        self.duration = duration
        self.url = url
        self.estimatedSize = estimatedSize
        self.audioURL = audioURL
    }

    /// "Artist – Title", or the title alone when the artist is unknown.
    public var displayName: String { artist.isEmpty ? title : "\(artist) – \(title)" }
}

/// The `max_download_size` setting (reference §4.3.6): megabytes, 0 = no limit. One MB is 1 048 576 bytes, the
/// unit yt-dlp's `--max-filesize 50M` uses.
public struct DownloadSizeLimit: Sendable, Hashable {
    /// The limit in megabytes; 0 or less means no limit.
    public var megabytes: Double

    /// A limit of `megabytes` MB; 0 turns it off.
    public init(megabytes: Double) { self.megabytes = megabytes }

    /// No limit.
    public static let none = DownloadSizeLimit(megabytes: 0)

    /// The limit in bytes, nil when off.
    public var bytes: Int64? { megabytes > 0 ? Int64(megabytes * 1_048_576) : nil }

    /// Whether a file of `size` bytes goes past the limit (an unknown size never does).
    public func refuses(_ size: Int64?) -> Bool {
        guard let limit = bytes, let size else { return false }
        return size > limit
    }

    /// `bytes` as whole megabytes for messages ("12 MB").
    static func megabytes(_ bytes: Int64) -> Int64 { (bytes + 524_288) / 1_048_576 }
}
