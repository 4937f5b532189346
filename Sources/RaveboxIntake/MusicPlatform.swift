/// Where a requested song comes from.
public enum MusicPlatform: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// YouTube, through yt-dlp.
    case youtube
    /// Jamendo's free music, through its REST API.
    case jamendo
    /// The music library on the box (USB sticks, uploads).
    case local

    /// Whether the platform needs the internet.
    public var isOnline: Bool { self != .local }

    /// The platform's name as guests see it.
    public var description: String {
        switch self {
        case .youtube: "YouTube"
        case .jamendo: "Jamendo"
        case .local: "the box's library"
        }
    }
}

/// What a guest's request text is: a link to some service, or words to search for (reference §4.3).
public enum RequestTarget: Sendable, Equatable {
    /// A link to one of our platforms (`local_library/...` for the box's library).
    case url(MusicPlatform)
    /// A link to a service the box has no provider for (Spotify, SoundCloud, any other web address).
    case otherService
    /// Plain words: every provider may search them.
    case search

    /// Classifies `query` the way Raveberry's `get_providers` does: `local_library/…` is local,
    /// `https://www.youtube.com/` and `https://music.youtube.com/` (and `youtube.com`, `m.youtube.com`,
    /// `youtu.be`) are YouTube, `https://www.jamendo.com/` (and `jamendo.com`) is Jamendo, any other
    /// `http(s)://` address is another service, everything else is a search.
    public init(_ query: String) {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("local_library/") {
            self = .url(.local)
            return
        }
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            self = .search
            return
        }
        switch RequestTarget.host(of: lower) {
        case "www.youtube.com", "youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be":
            self = .url(.youtube)
        case "www.jamendo.com", "jamendo.com":
            self = .url(.jamendo)
        default:
            self = .otherService
        }
    }

    /// The host part of a lower-cased "scheme://host[:port]/..." string.
    static func host(of url: String) -> String {
        guard let range = url.range(of: "://") else { return "" }
        let rest = url[range.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@").last ?? authority
        return String(hostAndPort.prefix { $0 != ":" })
    }
}
