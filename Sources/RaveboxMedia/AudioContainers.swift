import CFFmpeg

#if canImport(Glibc)
    import Glibc
#endif

/// What FFmpeg may do when the box opens a song: read that one file, with the demuxer of an audio container.
///
/// FFmpeg chooses a demuxer by what a file contains, not by its name, and some demuxers open further files or
/// addresses named inside the file: HLS and DASH playlists, `ffconcat` lists, image sequences, SDP (RTP sockets).
/// A guest's upload called `song.mp3` that is really such a list would have the box read, probe and play whatever
/// the list names. So every file is opened with two of libavformat's options:
/// - `format_whitelist`: the demuxers below and no other. libavformat refuses a file whose probed demuxer is not
///   on it before that demuxer reads the file's header, so nothing the file names is ever opened;
/// - `protocol_whitelist` = `file`: no network, no `pipe:`, `concat:` or `subfile:`, and nothing a demuxer opens
///   on its own may use another protocol either.
///
/// The rule holds for every file, not only guests' uploads and downloads: the player does not know where a
/// queued file came from, USB sticks come from guests too, and the host's own music is in these containers
/// anyway (the library scan takes only the extensions of `AudioFileTypes`).
enum AudioContainers {
    /// FFmpeg's demuxer names (`ffmpeg -demuxers`) of the containers the box plays, each with the file types it
    /// serves (`AudioFileTypes.extensions`, YouTube's and Jamendo's downloads). A demuxer whose FFmpeg name is a
    /// list ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm") matches by any of its names.
    static let demuxers = [
        "mp3",  // .mp3, Jamendo's downloads
        "flac",  // .flac
        "ogg",  // .ogg, .oga, .opus: Vorbis, Opus or FLAC in Ogg
        "mov",  // .m4a, YouTube's m4a downloads
        "aac",  // .aac (ADTS)
        "wav",  // .wav, RF64 included
        "w64",  // Sony Wave64, large .wav recordings
        "aiff",  // AIFF, Apple's PCM container
        "asf",  // .wma
        "matroska",  // YouTube's webm (Opus) when there is no m4a
    ]

    /// The value of libavformat's `format_whitelist` option.
    static let formatWhitelist = demuxers.joined(separator: ",")

    /// The value of libavformat's `protocol_whitelist` option.
    static let protocolWhitelist = "file"

    /// The options every file is opened with, for `avformat_open_input`; free them with `av_dict_free`.
    static func openOptions() -> OpaquePointer? {
        var options: OpaquePointer?
        av_dict_set(&options, "format_whitelist", formatWhitelist, 0)
        av_dict_set(&options, "protocol_whitelist", protocolWhitelist, 0)
        return options
    }

    /// The demuxer FFmpeg would choose for the start of `path` when it is not one of ours ("hls", "concat"), for
    /// the log; nil when it is one of ours or nothing fits. Reads the file's first 4 KiB and nothing it names.
    static func refusedDemuxer(path: String) -> String? {
        guard let handle = fopen(path, "rb") else { return nil }
        defer { fclose(handle) }
        let size = 4096
        var buffer = [UInt8](repeating: 0, count: size + Int(AVPROBE_PADDING_SIZE))
        let count = fread(&buffer, 1, size, handle)
        guard count > 0 else { return nil }
        let name: String? = path.withCString { filename in
            buffer.withUnsafeMutableBufferPointer { bytes in
                var probe = AVProbeData()
                probe.filename = filename
                probe.buf = bytes.baseAddress
                probe.buf_size = Int32(count)
                return av_probe_input_format(&probe, 1).map { String(cString: $0.pointee.name) }
            }
        }
        guard let name else { return nil }
        let names = name.split(separator: ",").map(String.init)
        return names.contains(where: demuxers.contains) ? nil : name
    }
}
