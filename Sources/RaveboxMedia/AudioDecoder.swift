import CFFmpeg
import RaveboxCore

/// Decodes one audio file to interleaved signed 16-bit PCM in a given `AudioFormat`.
///
/// libavformat reads the container, libavcodec decodes the chosen audio stream and libswresample converts
/// whatever comes out (any sample format, rate or channel layout, even one that changes mid-file) to `format`.
/// Damaged packets in the middle of a file are skipped and counted in `skippedPackets`. A file that yields no
/// audio at all fails with `DecodeError.corrupt`, and so does one whose start is mostly undecodable: random bytes
/// named `.mp3` contain the odd valid-looking MPEG frame, so no audio is handed out until
/// `framesToTrust` frames decoded and they outnumber the damaged ones (see `read(into:frames:)`).
///
/// ```swift
/// let decoder = try AudioDecoder(path: "/music/song.flac", format: AudioFormat())
/// try decoder.seek(to: 30)                      // seconds
/// let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4096 * 2)
/// while case let frames = try decoder.read(into: buffer, frames: 4096), frames > 0 { ... }
/// ```
///
/// Named `AudioDecoder` rather than `Decoder` so that importing this module does not shadow the standard library's
/// `Decoder` protocol in files with `Codable` types.
///
/// Threading: not thread-safe. Create, use and release it on one thread (the player's decoder thread).
/// It allocates (FFmpeg does), so never call it from the ALSA output thread.
public final class AudioDecoder {
    /// The file being decoded.
    public var path: String { file.path }
    /// The format `read(into:frames:)` produces.
    public let format: AudioFormat
    /// Length of the song in seconds as the file declares it; nil when it does not say (some streams).
    public let duration: Double?
    /// FFmpeg's short name of the codec, e.g. "mp3float", "flac", "pcm_s16le".
    public let codecName: String
    /// Damaged packets or frames skipped so far.
    public private(set) var skippedPackets = 0
    /// Frames handed out by `read(into:frames:)` since the file was opened (after seeking, counted from there).
    public private(set) var framesRead = 0

    private let file: MediaFile
    private let codecContext: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let frame: UnsafeMutablePointer<AVFrame>
    private var outputLayout = AVChannelLayout()

    private var resampler: OpaquePointer?
    private var resamplerLayout = AVChannelLayout()
    private var resamplerSampleFormat: Int32 = -1
    private var resamplerRate: Int32 = 0

    /// Converted frames not yet handed out: `pending[pendingStart..<pendingEnd]` in frames.
    private var pending: UnsafeMutablePointer<Int16>
    private var pendingCapacity: Int
    private var pendingStart = 0
    private var pendingEnd = 0

    private var inputEnded = false
    private var decoderDrained = false
    private var resamplerFlushed = false
    /// Decoded (undamaged) codec frames so far.
    private var goodFrames = 0
    /// The start of the file decoded cleanly enough to be trusted as audio.
    private var trusted = false
    private var hasSeeked = false
    private var consecutiveErrors = 0
    private var lastError: String?
    /// After a seek, output before this time (seconds) is dropped so playback starts exactly where asked.
    private var skipUntil: Double?

    /// Opens `path` and prepares to decode its best audio stream into `format`.
    ///
    /// Reads the container header and a little of the stream (libavformat's probing), so it takes a few
    /// milliseconds for local files.
    public init(path: String, format: AudioFormat = AudioFormat()) throws(DecodeError) {
        let file = try MediaFile(path: path)
        guard let context = avcodec_alloc_context3(file.codec) else {
            throw .decoderFailure(path: path, detail: "out of memory allocating the codec context")
        }
        var ownedContext: UnsafeMutablePointer<AVCodecContext>? = context
        let parameters = file.stream.pointee.codecpar
        var result = avcodec_parameters_to_context(context, parameters)
        if result >= 0 {
            context.pointee.pkt_timebase = file.stream.pointee.time_base
            result = avcodec_open2(context, file.codec, nil)
        }
        let name = String(cString: file.codec.pointee.name)
        guard result >= 0 else {
            avcodec_free_context(&ownedContext)
            throw .decoderFailure(path: path, detail: "cannot open decoder \(name): \(FFmpegSupport.message(result))")
        }
        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        guard let packet, let frame else {
            av_packet_free(&packet)
            av_frame_free(&frame)
            avcodec_free_context(&ownedContext)
            throw .decoderFailure(path: path, detail: "out of memory allocating decoder buffers")
        }
        self.file = file
        self.format = format
        self.codecContext = context
        self.packet = packet
        self.frame = frame
        self.duration = file.duration
        self.codecName = name
        self.pendingCapacity = 4096
        self.pending = .allocate(capacity: 4096 * format.channels)
        av_channel_layout_default(&outputLayout, Int32(format.channels))
    }

    deinit {
        var ownedContext: UnsafeMutablePointer<AVCodecContext>? = codecContext
        avcodec_free_context(&ownedContext)
        var ownedPacket: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&ownedPacket)
        var ownedFrame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&ownedFrame)
        swr_free(&resampler)
        av_channel_layout_uninit(&resamplerLayout)
        av_channel_layout_uninit(&outputLayout)
        pending.deallocate()
    }

    /// Codec frames (MP3 frames, FLAC blocks, ...) that must decode before the file counts as audio.
    static let framesToTrust = 4
    /// Damaged packets at the start after which a file that has not earned trust is given up.
    static let damageLimitBeforeTrust = 64

    /// Decodes up to `frames` frames into `buffer` (interleaved, `frames × format.channels` samples must fit).
    ///
    /// The first call decodes ahead until `framesToTrust` codec frames decoded and outnumber the damaged
    /// packets (or the file ends having decoded more good than damaged ones): only then is any audio returned.
    ///
    /// - Returns: Frames written; fewer than asked only at the end of the file, and 0 once the end is reached.
    /// - Throws: `DecodeError.corrupt` when the file yields no audio, when its start is mostly undecodable, or
    ///   when FFmpeg keeps failing without making progress; `.decoderFailure` when the resampler fails.
    public func read(into buffer: UnsafeMutableBufferPointer<Int16>, frames: Int) throws(DecodeError) -> Int {
        let channels = format.channels
        precondition(frames >= 0 && frames * channels <= buffer.count, "buffer too small for \(frames) frames")
        guard let base = buffer.baseAddress else { return 0 }
        if !trusted { try earnTrust() }
        var produced = 0
        while produced < frames {
            if pendingEnd > pendingStart {
                let count = min(frames - produced, pendingEnd - pendingStart)
                (base + produced * channels).update(from: pending + pendingStart * channels, count: count * channels)
                pendingStart += count
                produced += count
                continue
            }
            pendingStart = 0
            pendingEnd = 0
            guard try refill() else { break }
        }
        framesRead += produced
        return produced
    }

    /// Decodes ahead (keeping the audio in `pending`) until the file is trusted, or throws `.corrupt`.
    private func earnTrust() throws(DecodeError) {
        while goodFrames < Self.framesToTrust || goodFrames <= skippedPackets {
            if skippedPackets >= Self.damageLimitBeforeTrust { break }
            guard try refill() else { break }
        }
        let atEnd = resamplerFlushed
        let enoughFrames = goodFrames >= Self.framesToTrust || (atEnd && goodFrames > 0)
        if enoughFrames && goodFrames > skippedPackets {
            trusted = true
            return
        }
        if atEnd && goodFrames == 0 && skippedPackets == 0 && hasSeeked {
            trusted = true  // Sought past the end: nothing left to play, but nothing wrong either.
            return
        }
        var detail = goodFrames == 0 ? "no audio could be decoded" : "mostly undecodable: \(goodFrames) frames decoded"
        if skippedPackets > 0 { detail += ", \(skippedPackets) damaged packets skipped" }
        if let lastError { detail += ", last error: \(lastError)" }
        throw .corrupt(path: path, detail: detail)
    }

    /// Moves to `seconds` from the start of the song; the next `read` starts there (to the frame, for formats
    /// FFmpeg can seek in; others are decoded from the start and the audio before `seconds` is dropped).
    public func seek(to seconds: Double) throws(DecodeError) {
        let target = max(0, seconds)
        // Song time 0 is the stream's start time: MP3 (encoder delay, 23 ms at 48 kHz for LAME) and some
        // AAC files start later than 0, and decoding from the start skips that much.
        let timestamp = Int64((target + streamStart) * Double(FFmpegSupport.timeBase))
        let result = avformat_seek_file(file.context, -1, Int64.min, timestamp, timestamp, 0)
        if result < 0 && (framesRead > 0 || hasSeeked) {
            throw .decoderFailure(path: path, detail: "cannot seek to \(target) s: \(FFmpegSupport.message(result))")
        }
        if result >= 0 {
            avcodec_flush_buffers(codecContext)
            swr_free(&resampler)
            resamplerSampleFormat = -1
            inputEnded = false
            decoderDrained = false
            resamplerFlushed = false
        }
        pendingStart = 0
        pendingEnd = 0
        hasSeeked = true
        skipUntil = target > 0 ? target + streamStart : nil
    }

    /// The stream's start time in seconds (its first sample's time stamp), 0 when unknown.
    private var streamStart: Double {
        let start = file.stream.pointee.start_time
        guard start != FFmpegSupport.noPTS, start > 0 else { return 0 }
        return Double(start) * av_q2d(file.stream.pointee.time_base)
    }

    /// Produces more converted frames into `pending`. Returns false at the end of the file.
    private func refill() throws(DecodeError) -> Bool {
        while true {
            if resamplerFlushed { return false }
            if decoderDrained {
                resamplerFlushed = true
                guard let resampler else { return false }
                reservePending(frames: Int(swr_get_out_samples(resampler, 0)) + 16)
                let count = rb_swr_convert_frame(
                    resampler, pending + pendingEnd * format.channels, Int32(pendingCapacity - pendingEnd), nil
                )
                if count > 0 {
                    let before = pendingEnd
                    pendingEnd += Int(count)
                    dropBeforeSeekTarget(from: before, frameStart: nil)
                    if pendingEnd > pendingStart { return true }
                }
                return false
            }
            let result = avcodec_receive_frame(codecContext, frame)
            if result == 0 {
                consecutiveErrors = 0
                goodFrames += 1
                defer { av_frame_unref(frame) }
                let before = pendingEnd
                try convertFrame()
                if pendingEnd > before { return true }
            } else if result == FFmpegSupport.eagain {
                feedPacket()
            } else if result == FFmpegSupport.eof {
                decoderDrained = true
            } else {
                try noteDamage(result)
            }
        }
    }

    /// Reads the next packet of the audio stream and sends it to the decoder; at the end of the input sends
    /// the flush packet. Damaged packets are counted and skipped.
    private func feedPacket() {
        if inputEnded {
            decoderDrained = true
            return
        }
        let result = av_read_frame(file.context, packet)
        if result < 0 {
            if result != FFmpegSupport.eof { lastError = "read: \(FFmpegSupport.message(result))" }
            inputEnded = true
            avcodec_send_packet(codecContext, nil)
            return
        }
        defer { av_packet_unref(packet) }
        guard packet.pointee.stream_index == file.streamIndex else { return }
        let sent = avcodec_send_packet(codecContext, packet)
        if sent < 0 && sent != FFmpegSupport.eagain {
            skippedPackets += 1
            lastError = FFmpegSupport.message(sent)
        }
    }

    private func noteDamage(_ result: Int32) throws(DecodeError) {
        skippedPackets += 1
        consecutiveErrors += 1
        lastError = FFmpegSupport.message(result)
        if consecutiveErrors > 10_000 {
            throw .corrupt(path: path, detail: "decoder keeps failing: \(FFmpegSupport.message(result))")
        }
    }

    /// Makes room for `frames` more frames after `pendingEnd`, moving the unread frames to the front first.
    private func reservePending(frames: Int) {
        let channels = format.channels
        if pendingStart > 0 {
            let unread = pendingEnd - pendingStart
            if unread > 0 { pending.update(from: pending + pendingStart * channels, count: unread * channels) }
            pendingStart = 0
            pendingEnd = unread
        }
        guard pendingEnd + frames > pendingCapacity else { return }
        let capacity = max(pendingEnd + frames, pendingCapacity * 2)
        let grown = UnsafeMutablePointer<Int16>.allocate(capacity: capacity * channels)
        grown.update(from: pending, count: pendingEnd * channels)
        pending.deallocate()
        pending = grown
        pendingCapacity = capacity
    }

    /// Converts `frame` and appends it to `pending`, (re)creating the resampler when the frame's format differs
    /// from the last.
    private func convertFrame() throws(DecodeError) {
        let channelCount = Int(frame.pointee.ch_layout.nb_channels)
        guard channelCount > 0, frame.pointee.sample_rate > 0 else {
            try noteDamage(FFmpegSupport.invalidData)
            return
        }
        try prepareResampler()
        guard let resampler else { return }
        reservePending(frames: Int(swr_get_out_samples(resampler, frame.pointee.nb_samples)) + 16)
        let count = rb_swr_convert_frame(
            resampler, pending + pendingEnd * format.channels, Int32(pendingCapacity - pendingEnd), frame
        )
        guard count >= 0 else {
            throw .decoderFailure(path: path, detail: "resampling failed: \(FFmpegSupport.message(count))")
        }
        let before = pendingEnd
        pendingEnd += Int(count)
        var frameStart: Double?
        let timestamp = frame.pointee.best_effort_timestamp
        if timestamp != FFmpegSupport.noPTS {
            frameStart = Double(timestamp) * av_q2d(file.stream.pointee.time_base)
        }
        dropBeforeSeekTarget(from: before, frameStart: frameStart)
    }

    /// After a seek, discards the just-converted frames `pending[from..<pendingEnd]` that lie before the
    /// requested time.
    private func dropBeforeSeekTarget(from start: Int, frameStart: Double?) {
        guard let target = skipUntil else { return }
        guard let frameStart else {
            skipUntil = nil
            return
        }
        let added = pendingEnd - start
        let drop = format.frames(inSeconds: target - frameStart)
        if drop <= 0 {
            skipUntil = nil
            return
        }
        let dropped = min(drop, added)
        let channels = format.channels
        let kept = added - dropped
        if kept > 0 {
            (pending + start * channels).update(from: pending + (start + dropped) * channels, count: kept * channels)
        }
        pendingEnd = start + kept
        if dropped < drop { return }
        skipUntil = nil
    }

    private func prepareResampler() throws(DecodeError) {
        var inputLayout = AVChannelLayout()
        defer { av_channel_layout_uninit(&inputLayout) }
        if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inputLayout, frame.pointee.ch_layout.nb_channels)
        } else {
            av_channel_layout_copy(&inputLayout, &frame.pointee.ch_layout)
        }
        let sampleFormat = frame.pointee.format
        let rate = frame.pointee.sample_rate
        if resampler != nil && sampleFormat == resamplerSampleFormat && rate == resamplerRate
            && av_channel_layout_compare(&inputLayout, &resamplerLayout) == 0
        {
            return
        }
        swr_free(&resampler)
        var created: OpaquePointer?
        var result = swr_alloc_set_opts2(
            &created, &outputLayout, AV_SAMPLE_FMT_S16, Int32(format.sampleRate),
            &inputLayout, AVSampleFormat(rawValue: sampleFormat), rate, 0, nil
        )
        if result >= 0 { result = swr_init(created) }
        guard result >= 0, created != nil else {
            swr_free(&created)
            throw .decoderFailure(
                path: path,
                detail: "cannot convert \(rate) Hz \(inputLayout.nb_channels) ch to \(format): "
                    + FFmpegSupport.message(result)
            )
        }
        resampler = created
        av_channel_layout_uninit(&resamplerLayout)
        av_channel_layout_copy(&resamplerLayout, &inputLayout)
        resamplerSampleFormat = sampleFormat
        resamplerRate = rate
    }
}
