/// M3U and M3U8 playlists: reading the ones found in the music folders, writing the admin's play-log export.
///
/// ```swift
/// let paths = M3UPlaylist.parse(text, relativeTo: "/media/music/Party")
/// // "#EXTM3U\n#EXTINF:215,Daft Punk - One More Time\n/media/music/one.mp3\n"
/// let text = M3UPlaylist.render([(path: "/media/music/one.mp3", title: "One More Time",
///                                 artist: "Daft Punk", duration: 215.4)])
/// ```
///
/// Pure: no file is read or checked here; the library scan decides which entries exist.
public enum M3UPlaylist {
    /// The song paths of a playlist's text, in order, as absolute paths.
    ///
    /// - Relative entries are resolved against `folder` (the folder the playlist file is in); absolute ones
    ///   are kept. `.` and `..` components and repeated slashes are removed, so entries compare equal to the
    ///   scanner's paths. Windows separators (`\`) count as `/` (playlists made on Windows).
    /// - `file://` URLs become their (percent-decoded) path; other URLs (`http://`, ...) are skipped: the box
    ///   plays only its library.
    /// - `#EXTM3U`, `#EXTINF` and every other `#` line, and blank lines, are skipped.
    /// - A leading UTF-8 byte order mark and CRLF or CR line ends are accepted.
    /// - An entry with a NUL or a line break (`file:///a%0Ab.mp3`) is skipped: no file in the library has such a
    ///   path, and a NUL would cut the path short where C reads it.
    public static func parse(_ text: String, relativeTo folder: String) -> [String] {
        var entries: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = Substring(rawLine)
            if line.first == "\u{FEFF}" { line = line.dropFirst() }
            let entry = trimmed(line)
            guard !entry.isEmpty, !entry.hasPrefix("#") else { continue }
            if let scheme = urlScheme(of: entry) {
                guard scheme == "file" else { continue }
                let path = percentDecoded(fileURLPath(entry))
                guard path.hasPrefix("/"), isPossiblePath(path) else { continue }
                entries.append(normalized(path))
                continue
            }
            let path = entry.replacing("\\", with: "/")
            guard isPossiblePath(path) else { continue }
            entries.append(normalized(path.hasPrefix("/") ? path : folder + "/" + path))
        }
        return entries
    }

    /// An extended M3U playlist of `entries`: `#EXTM3U`, then per entry `#EXTINF:<seconds>,<artist> - <title>`
    /// (the title alone when the artist is empty; `-1` seconds when the duration is unknown) and its path.
    /// Line breaks inside titles become spaces so every entry stays two lines.
    public static func render(_ entries: [(path: String, title: String, artist: String, duration: Double)]) -> String {
        var text = "#EXTM3U\n"
        for entry in entries {
            let seconds = entry.duration.isFinite && entry.duration > 0 ? Int(entry.duration.rounded()) : -1
            let name = entry.artist.isEmpty ? entry.title : "\(entry.artist) - \(entry.title)"
            text += "#EXTINF:\(seconds),\(oneLine(name))\n\(oneLine(entry.path))\n"
        }
        return text
    }

    /// Whether a file name is a playlist the library scan reads (`.m3u`, `.m3u8`, any case).
    public static func isPlaylist(fileName: String) -> Bool {
        let lower = fileName.lowercased()
        return lower.hasSuffix(".m3u") || lower.hasSuffix(".m3u8")
    }

    /// `path` with `.`/`..` components and empty components removed (`/a/./b//../c` → `/a/c`). `..` above
    /// the root stays at the root, as the kernel does.
    public static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The scheme of an entry like `http://host/x` (letters, digits, `+`, `-`, `.` before `://`), or nil.
    private static func urlScheme(of entry: String) -> String? {
        guard let range = entry.range(of: "://") else { return nil }
        let scheme = entry[..<range.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// The path part of `file:///a/b` or `file://localhost/a/b`.
    private static func fileURLPath(_ url: String) -> String {
        let rest = url.dropFirst("file://".count)
        if rest.hasPrefix("/") { return String(rest) }
        guard let slash = rest.firstIndex(of: "/") else { return "" }
        return String(rest[slash...])
    }

    /// `%20`-style escapes decoded as UTF-8; an invalid escape is kept as written.
    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let high = hexValue(utf8[utf8.startIndex]), let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether `path` has neither a NUL nor a line break.
    private static func isPossiblePath(_ path: String) -> Bool {
        !path.contains { $0 == "\0" || $0.isNewline }
    }

    private static func trimmed(_ text: Substring) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
