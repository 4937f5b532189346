/// Why a song could not be found or fetched.
///
/// `reason` is one sentence a guest understands (it goes into `{"error": "..."}`); `details` says what a person
/// fixing the box needs in the log: the platform, the command's or server's message, sizes, paths.
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The platform cannot be used on this box (yt-dlp missing, no Jamendo client id); `why` says what to fix.
    case unavailable(MusicPlatform, why: String)
    /// The platform found nothing for the request.
    case notFound(MusicPlatform, query: String)
    /// The song is bigger than `max_download_size` (sizes in bytes; `size` may be an estimate, nil when the
    /// download tool only said it was too big).
    case tooLarge(size: Int64?, limit: Int64)
    /// The downloaded file is not audio FFmpeg can play; it was removed.
    case notAudio(MusicPlatform, detail: String)
    /// Jamendo does not allow this song to be downloaded (`audiodownload_allowed` is false).
    case downloadNotAllowed(MusicPlatform, id: String)
    /// The platform refused the box's credentials (Jamendo: HTTP 401 or "invalid client id").
    case badCredentials(MusicPlatform, detail: String)
    /// The platform refuses requests for now (HTTP 429/403, YouTube's "confirm you're not a bot").
    case refused(MusicPlatform, detail: String)
    /// The platform did not answer in time.
    case timedOut(MusicPlatform, detail: String)
    /// The platform answered with something the box cannot read (not JSON, missing fields).
    case unreadableAnswer(MusicPlatform, detail: String)
    /// The platform's tool or server failed for another reason (yt-dlp's ERROR line, an HTTP status).
    case failed(MusicPlatform, detail: String)
    /// The platform could not be reached (DNS, connection refused, TLS).
    case unreachable(MusicPlatform, detail: String)
    /// The download could not be stored (disk full, cache folder not writable).
    case storage(detail: String)
    /// No enabled provider can handle the request (reference §4.3: "No backend configured to handle your
    /// request.").
    case noProvider(query: String)
    /// The box has no internet and only online providers could handle the request.
    case offline(detail: String)

    /// One sentence for the guest.
    public var reason: String {
        switch self {
        case .unavailable(let platform, _): "\(platform.capitalizedName) is not available on this box."
        case .notFound(let platform, _):
            platform == .local ? "No song on the box matches your request." : "No song found on \(platform)."
        case .tooLarge(_, let limit):
            "This song is larger than the box accepts (\(DownloadSizeLimit.megabytes(limit)) MB)."
        case .notAudio(let platform, _): "What \(platform) sent is not music the box can play."
        case .downloadNotAllowed: "Jamendo does not allow this song to be streamed."
        case .badCredentials(let platform, _): "The box's \(platform) access is not accepted; ask the host to check it."
        case .refused(let platform, _): "\(platform) is refusing the box's requests right now; try again later."
        case .timedOut(let platform, _): "\(platform) took too long to answer; try again."
        case .unreadableAnswer(let platform, _): "\(platform) sent an answer the box does not understand."
        case .failed(let platform, _): "\(platform) could not provide this song."
        case .unreachable(let platform, _): "The box could not reach \(platform)."
        case .storage: "The box has no room to store this song."
        case .noProvider: "No backend configured to handle your request."
        case .offline: "The box is offline: only the music on the box can be requested."
        }
    }

    /// What happened, for the log.
    public var details: String {
        switch self {
        case .unavailable(let platform, let why): "\(platform.rawValue) unavailable: \(why)"
        case .notFound(let platform, let query): "\(platform.rawValue): nothing found for '\(query)'"
        case .tooLarge(let size, let limit):
            "download of \(size.map { "\($0) bytes" } ?? "unknown size") refused: max_download_size is \(limit) bytes"
        case .notAudio(let platform, let detail): "\(platform.rawValue): download is not playable audio (\(detail))"
        case .downloadNotAllowed(let platform, let id):
            "\(platform.rawValue): track \(id) has audiodownload_allowed = false"
        case .badCredentials(let platform, let detail): "\(platform.rawValue): credentials refused (\(detail))"
        case .refused(let platform, let detail): "\(platform.rawValue): requests refused (\(detail))"
        case .timedOut(let platform, let detail): "\(platform.rawValue): timed out (\(detail))"
        case .unreadableAnswer(let platform, let detail): "\(platform.rawValue): unreadable answer (\(detail))"
        case .failed(let platform, let detail): "\(platform.rawValue): failed (\(detail))"
        case .unreachable(let platform, let detail): "\(platform.rawValue): unreachable (\(detail))"
        case .storage(let detail): "cannot store download: \(detail)"
        case .noProvider(let query): "no enabled provider handles '\(query)'"
        case .offline(let detail): "offline: \(detail)"
        }
    }

    /// The same as `details`.
    public var description: String { details }
}

extension MusicPlatform {
    /// The name at the start of a sentence ("The box's library", "YouTube").
    var capitalizedName: String {
        let name = description
        return name.prefix(1).uppercased() + name.dropFirst()
    }
}
