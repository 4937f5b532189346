/// Why a guest's upload was refused.
///
/// `reason` is one sentence for the guest; `details` is for the log.
public enum UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name does not end in an audio extension the library knows.
    case notAudioName(String)
    /// The file is bigger than the per-file limit (bytes).
    case tooLarge(limit: Int64)
    /// The guest has as many uploads (finished and under way) as allowed.
    case tooManyUploads(limit: Int)
    /// The uploads folder's quota would be exceeded (bytes, counting uploads under way).
    case quotaFull(quota: Int64)
    /// FFmpeg does not see playable audio in the file.
    case notAudio(detail: String)
    /// Fewer or more bytes arrived than announced.
    case sizeMismatch(expected: Int64, received: Int64)
    /// `append` or `finish` after the upload ended (finished, failed or cancelled).
    case ended
    /// The file could not be written or moved (disk full, permissions).
    case storage(detail: String)

    /// One sentence for the guest.
    public var reason: String {
        switch self {
        case .notAudioName: "The box accepts only music files (mp3, flac, ogg, opus, m4a, aac, wav, wma)."
        case .tooLarge(let limit):
            "That file is larger than the box accepts (\(DownloadSizeLimit.megabytes(limit)) MB)."
        case .tooManyUploads(let limit): "You have already uploaded as many songs as the box allows (\(limit))."
        case .quotaFull: "The box has no room left for uploads."
        case .notAudio: "That file is not music the box can play."
        case .sizeMismatch: "The upload did not arrive complete; please try again."
        case .ended: "This upload has already ended."
        case .storage: "The box could not store the upload."
        }
    }

    /// What happened, for the log.
    public var details: String {
        switch self {
        case .notAudioName(let name): "upload '\(name)' refused: not an audio file extension"
        case .tooLarge(let limit): "upload refused: larger than the per-file limit of \(limit) bytes"
        case .tooManyUploads(let limit): "upload refused: guest reached the limit of \(limit) uploads"
        case .quotaFull(let quota): "upload refused: uploads folder quota of \(quota) bytes reached"
        case .notAudio(let detail): "upload refused: not playable audio (\(detail))"
        case .sizeMismatch(let expected, let received): "upload announced \(expected) bytes, received \(received)"
        case .ended: "upload used after it ended"
        case .storage(let detail): "upload could not be stored: \(detail)"
        }
    }

    /// The same as `details`.
    public var description: String { details }
}
