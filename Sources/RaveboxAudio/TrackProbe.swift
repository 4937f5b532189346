/// What the library scan stores about one audio file.
public struct TrackInfo: Sendable, Hashable {
    /// The title tag, or the file name without its extension when the file has none.
    public var title: String
    /// The artist tag (falling back to "album_artist"); nil when absent.
    public var artist: String?
    /// The album tag; nil when absent.
    public var album: String?
    /// Length in seconds as the file declares it; nil when it does not say.
    public var duration: Double?

    public init(title: String, artist: String? = nil, album: String? = nil, duration: Double? = nil) {
        self.title = title
        self.artist = artist
        self.album = album
        self.duration = duration
    }
}

/// Reads tags and duration of audio files without decoding them, for the library scan.
///
/// ```swift
/// let info = try TrackProbe.probe(path: "/media/usb/Daft Punk - One More Time.mp3")
/// print(info.title, info.artist ?? "unknown artist", info.duration ?? 0)
/// ```
///
/// Tags come from the container (ID3, MP4 atoms, Vorbis comments in FLAC) and, when the container has none,
/// from the audio stream (Ogg Vorbis/Opus keep them there). Threading: safe to call from any thread; each call
/// opens its own file. It blocks on file I/O (a few ms per file), so call it from a scan task, not the UI path.
public enum TrackProbe {
    /// Probes `path`.
    ///
    /// - Throws: `DecodeError.fileNotFound`, `.notAudio` (no audio stream, not a media file) or
    ///   `.unsupportedCodec` (FFmpeg has no decoder for the audio stream).
    public static func probe(path: String) throws(DecodeError) -> TrackInfo {
        let file = try MediaFile(path: path)
        return TrackInfo(
            title: file.tag("title") ?? titleFromFileName(path),
            artist: file.tag("artist") ?? file.tag("album_artist"),
            album: file.tag("album"),
            duration: file.duration
        )
    }

    /// "/music/Some Song.final.mp3" → "Some Song.final"; a name without extension (or a dot file) is kept whole.
    static func titleFromFileName(_ path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
