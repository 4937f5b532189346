/// Why a song could not be read or decoded.
///
/// `reason` is a short sentence a guest can read in the web UI ("This file is not an audio file.");
/// `details` carries what a person fixing it needs in the log (path, FFmpeg's message, codec name).
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing exists at `path` (or it cannot be opened for reading).
    case fileNotFound(path: String, detail: String)
    /// The file is not a media file FFmpeg recognises, or it has no audio stream.
    case notAudio(path: String, detail: String)
    /// The file has an audio stream in a codec this FFmpeg build cannot decode.
    case unsupportedCodec(path: String, codec: String)
    /// The file looks like audio but its data is damaged: it yielded no audio at all, or failed mid-way.
    case corrupt(path: String, detail: String)
    /// FFmpeg could not set up decoding (out of memory, resampler refused the format, seek failed ...).
    case decoderFailure(path: String, detail: String)

    /// One sentence for guests, without paths or library jargon.
    public var reason: String {
        switch self {
        case .fileNotFound: "The song's file was not found."
        case .notAudio: "This file is not an audio file."
        case .unsupportedCodec: "This audio format is not supported."
        case .corrupt: "The song's file has corrupt data."
        case .decoderFailure: "The song could not be decoded."
        }
    }

    /// What happened, for the log: the path and FFmpeg's view of the problem.
    public var details: String {
        switch self {
        case .fileNotFound(let path, let detail): "\(path): file not found (\(detail))"
        case .notAudio(let path, let detail): "\(path): not an audio file (\(detail))"
        case .unsupportedCodec(let path, let codec): "\(path): no decoder for codec '\(codec)' in this FFmpeg build"
        case .corrupt(let path, let detail): "\(path): corrupt data (\(detail))"
        case .decoderFailure(let path, let detail): "\(path): decoding failed (\(detail))"
        }
    }

    public var description: String { details }
}
