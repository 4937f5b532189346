import CFFmpeg
import RaveboxCore

/// Small bridges to FFmpeg's C conventions shared by `MediaFile`, `AudioDecoder` and `TrackProbe`.
enum FFmpegSupport {
    /// FFmpeg logs every damaged packet to stderr by itself ("Header missing", ...). Ravebox reports problems
    /// through its own logger (`DecodeError.details`, skipped-packet counts), so FFmpeg's own printing is turned
    /// off once per process, before the first file is opened.
    static let silenced: Void = {
        av_log_set_level(AV_LOG_QUIET)
    }()

    /// FFmpeg's text for an `AVERROR` code, e.g. "Invalid data found when processing input".
    static func message(_ code: Int32) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer in
            guard let base = buffer.baseAddress, av_strerror(code, base, buffer.count) == 0 else {
                return "error \(code)"
            }
            return String(cString: base)
        }
    }

    static let eagain = rb_averror_eagain()
    static let eof = rb_averror_eof()
    static let invalidData = rb_averror_invaliddata()
    static let streamNotFound = rb_averror_stream_not_found()
    static let decoderNotFound = rb_averror_decoder_not_found()
    static let notFound = rb_averror_errno(ENOENT)
    /// What `avformat_open_input` returns for a file whose demuxer is not on the `format_whitelist` (and for an
    /// empty file).
    static let invalidArgument = rb_averror_errno(EINVAL)
    /// Codes that mean "the file cannot be read" (missing, a directory, no permission, a read error), as
    /// opposed to "this is not audio". An empty file fails with EINVAL and stays "not audio".
    static let unreadable: Set<Int32> = Set(
        [ENOENT, ENOTDIR, ELOOP, EACCES, EPERM, EISDIR, EIO, ENXIO, ENODEV].map { rb_averror_errno($0) })
    static let noPTS = rb_av_nopts_value()
    static let timeBase = rb_av_time_base()
}

/// FFmpeg's libraries, opened by the process when it first calls them (Sources/CFFmpeg/loader.c), so processes
/// that decode nothing never map them.
public enum FFmpegLibraries {
    /// Opens them now, so a box without them says so as it starts rather than at its first song. The loader's
    /// error, or nil.
    public static func open() -> String? {
        rb_ffmpeg_open().map { String(cString: $0) }
    }
}
