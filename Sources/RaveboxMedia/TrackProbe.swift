import CFFmpeg
import RaveboxCore

/// Reads tags and duration of audio files without decoding them, for the library scan.
///
/// ```swift
/// let info = try TrackProbe.probe(path: "/media/usb/Daft Punk - One More Time.mp3")
/// print(info.title, info.artist ?? "unknown artist", info.track ?? 0, info.duration ?? 0)
/// ```
///
/// Tags come from the container (ID3, MP4 atoms, Vorbis comments in FLAC) and, when the container has none,
/// from the audio stream (Ogg Vorbis/Opus keep them there). Keys are matched case-insensitively under the
/// names FFmpeg gives them (`title`, `artist`, `album`, `track`, `date`, `genre`, whatever the format calls
/// them). Threading: safe to call from any thread; each call opens its own file. It blocks on file I/O (a few
/// ms per file), so call it from a scan task, not the UI path.
public enum TrackProbe {
    /// Probes `path`.
    ///
    /// - Throws: `DecodeError.fileNotFound`, `.notAudio` (no audio stream, not a media file) or
    ///   `.unsupportedCodec` (FFmpeg has no decoder for the audio stream).
    public static func probe(path: String) throws(DecodeError) -> TrackInfo {
        let file = try MediaFile(path: path)
        let fromName = namesFromFileName(path)
        let title = file.tag("title")
        return TrackInfo(
            title: title ?? fromName.title,
            artist: file.tag("artist") ?? file.tag("album_artist") ?? (title == nil ? fromName.artist : nil),
            album: file.tag("album"),
            track: (file.tag("track") ?? file.tag("tracknumber")).flatMap { trackNumber(inTag: $0) } ?? fromName.track,
            year: file.tag("date").flatMap { year(inTag: $0) } ?? file.tag("year").flatMap { year(inTag: $0) },
            genre: file.tag("genre"),
            duration: file.duration
        )
    }

    /// "/music/Some Song.final.mp3" → "Some Song.final"; a name without extension (or a dot file) is kept whole.
    static func titleFromFileName(_ path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// What a file name says when the tags do not: "Daft Punk - One More Time.mp3" → artist "Daft Punk", title
    /// "One More Time"; a leading track number is taken off ("03 - Intro.mp3" → track 3, title "Intro";
    /// "03 - Daft Punk - Aerodynamic.mp3" → track 3, artist and title). Anything else is the title alone.
    static func namesFromFileName(_ path: String) -> (title: String, artist: String?, track: Int?) {
        let name = titleFromFileName(path)
        var parts = name.split(separator: " - ", omittingEmptySubsequences: false).map {
            String($0).trimmingWhitespace()
        }
        var track: Int?
        if parts.count >= 2, let first = parts.first, (1...3).contains(first.count),
            first.allSatisfy({ $0.isASCII && $0.isNumber })
        {
            track = Int(first).flatMap { $0 > 0 ? $0 : nil }
            parts.removeFirst()
        }
        guard !parts.contains(where: \.isEmpty) else { return (name, nil, nil) }
        if parts.count >= 2 {
            return (parts.dropFirst().joined(separator: " - "), parts[0], track)
        }
        return (parts[0], nil, track)
    }

    /// The leading number of a track tag: "3" → 3, "03/12" → 3, " 7 " → 7; nil for "0", "A1" or "".
    static func trackNumber(inTag tag: String) -> Int? {
        let digits = tag.trimmingWhitespace().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let number = Int(digits), number > 0 else { return nil }
        return number
    }

    /// The first run of exactly four digits in a date tag: "1999" → 1999, "1999-05-01" → 1999,
    /// "01.05.1999" → 1999; nil when there is none.
    static func year(inTag tag: String) -> Int? {
        var run = ""
        for character in tag + " " {
            if character.isASCII && character.isNumber {
                run.append(character)
            } else {
                if run.count == 4, let value = Int(run) { return value }
                run = ""
            }
        }
        return nil
    }
}

/// ``TrackProbe`` as a ``TrackProbing`` value, for code that must not link FFmpeg itself (the web process's
/// upload and download checks).
public struct FFmpegTrackProbe: TrackProbing {
    public init() {}

    public func probe(path: String) throws(DecodeError) -> TrackInfo {
        try TrackProbe.probe(path: path)
    }
}
