import CFFmpeg
import RaveboxCore

#if canImport(Glibc)
    import Glibc
#endif

/// An opened media container (libavformat) with its best audio stream chosen.
///
/// Shared by `AudioDecoder` (which goes on to decode) and `TrackProbe` (which only reads tags), so both map
/// FFmpeg's failures to the same `DecodeError`s. Not thread-safe: one thread at a time.
final class MediaFile {
    let path: String
    /// Owned; closed in `deinit`.
    let context: UnsafeMutablePointer<AVFormatContext>
    /// Index of the audio stream in `context.streams`.
    let streamIndex: Int32
    /// Decoder FFmpeg chose for the stream (owned by FFmpeg, static).
    let codec: UnsafePointer<AVCodec>

    /// Opens `path` with the demuxers and protocol of `AudioContainers` only, reads enough of it to know its
    /// streams, and picks the audio stream to play.
    init(path: String) throws(DecodeError) {
        _ = FFmpegSupport.silenced
        if access(path, R_OK) != 0 {
            let code = errno
            throw .fileNotFound(path: path, detail: String(cString: strerror(code)))
        }
        var opened: UnsafeMutablePointer<AVFormatContext>?
        var options = AudioContainers.openOptions()
        let openResult = avformat_open_input(&opened, path, nil, &options)
        av_dict_free(&options)
        guard openResult >= 0, let context = opened else {
            if FFmpegSupport.unreadable.contains(openResult) {
                throw .fileNotFound(path: path, detail: FFmpegSupport.message(openResult))
            }
            if openResult == FFmpegSupport.invalidArgument, let demuxer = AudioContainers.refusedDemuxer(path: path) {
                throw .notAudio(path: path, detail: "a '\(demuxer)' file, not an audio container the box plays")
            }
            throw .notAudio(path: path, detail: FFmpegSupport.message(openResult))
        }
        let infoResult = avformat_find_stream_info(context, nil)
        if infoResult < 0 {
            avformat_close_input(&opened)
            throw .notAudio(path: path, detail: "no stream information: \(FFmpegSupport.message(infoResult))")
        }
        var codec: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0)
        guard index >= 0, let codec else {
            let error: DecodeError
            if index == FFmpegSupport.decoderNotFound {
                let codecID = Self.firstAudioCodecID(context)
                error = .unsupportedCodec(path: path, codec: String(cString: avcodec_get_name(codecID)))
            } else if index == FFmpegSupport.streamNotFound {
                error = .notAudio(path: path, detail: "no audio stream")
            } else {
                error = .notAudio(path: path, detail: FFmpegSupport.message(index))
            }
            avformat_close_input(&opened)
            throw error
        }
        // Tell the demuxer to drop packets of every other stream (cover art, video, subtitles) early.
        for i in 0..<Int(context.pointee.nb_streams) where i != Int(index) {
            context.pointee.streams[i]?.pointee.discard = AVDISCARD_ALL
        }
        self.path = path
        self.context = context
        self.streamIndex = index
        self.codec = codec
    }

    deinit {
        var opened: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&opened)
    }

    /// The chosen audio stream.
    var stream: UnsafeMutablePointer<AVStream> {
        context.pointee.streams[Int(streamIndex)]!
    }

    /// Length of the audio in seconds, from the container or else the stream; nil when neither says.
    var duration: Double? {
        let containerDuration = context.pointee.duration
        if containerDuration != FFmpegSupport.noPTS && containerDuration > 0 {
            return Double(containerDuration) / Double(FFmpegSupport.timeBase)
        }
        let stream = stream.pointee
        if stream.duration != FFmpegSupport.noPTS && stream.duration > 0 {
            return Double(stream.duration) * av_q2d(stream.time_base)
        }
        return nil
    }

    /// The tag `key` (case-insensitive: "title", "artist", "album") from the container, else from the audio
    /// stream (Ogg/Opus keep tags there), with surrounding whitespace removed; nil when absent or empty.
    func tag(_ key: String) -> String? {
        for dictionary in [context.pointee.metadata, stream.pointee.metadata] {
            if let entry = av_dict_get(dictionary, key, nil, 0), let value = entry.pointee.value {
                let text = String(cString: value).trimmingWhitespace()
                if !text.isEmpty { return text }
            }
        }
        return nil
    }

    private static func firstAudioCodecID(_ context: UnsafeMutablePointer<AVFormatContext>) -> AVCodecID {
        for i in 0..<Int(context.pointee.nb_streams) {
            if let parameters = context.pointee.streams[i]?.pointee.codecpar,
                parameters.pointee.codec_type == AVMEDIA_TYPE_AUDIO
            {
                return parameters.pointee.codec_id
            }
        }
        return AV_CODEC_ID_NONE
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (no Foundation needed).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
