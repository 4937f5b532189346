import CEBUR128
import RaveboxCore
import RaveboxMedia

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How loud a song is, by EBU R 128 / ITU-R BS.1770-4, as measured by libebur128.
///
/// Stored with the song after its first full play (or a background scan) so that the player can level it with
/// `LoudnessGain` from the next play on. `Codable` so it can go into the store as JSON: that is why silence is
/// recorded as `silentLUFS` rather than as libebur128's −∞, which `JSONEncoder` refuses to encode.
///
/// ```swift
/// let loudness = try LoudnessMeter.measure(path: "/music/song.flac")
/// let gain = LoudnessGain.linearGain(for: loudness)   // multiply every sample by this
/// ```
public struct LoudnessMeasurement: Sendable, Equatable, Codable {
    /// Integrated (programme) loudness in LUFS, gated as BS.1770-4 specifies.
    ///
    /// `silentLUFS` (−70) when nothing passed the absolute gate: digital silence, audio quieter than −70 LUFS
    /// throughout, or less than one 400 ms gating block of audio. `isSilent` says so.
    public var integrated: Double
    /// The highest true peak over all channels, linear (1.0 is 0 dBTP, full scale; above 1 means the
    /// reconstructed waveform overshoots full scale between samples). 4× oversampled below 96 kHz.
    public var truePeak: Double
    /// Loudness range (LRA) in LU: how much the loudness varies over the song, per EBU Tech 3342; nil when it
    /// could not be measured (silence, or libebur128 declined).
    public var loudnessRange: Double?

    /// What `integrated` holds when no 400 ms block of the song passed the −70 LUFS absolute gate (BS.1770-4).
    public static let silentLUFS = -70.0

    /// - Parameters:
    ///   - integrated: Integrated loudness in LUFS; values below `silentLUFS`, and NaN, are stored as
    ///     `silentLUFS`.
    ///   - truePeak: Highest true peak over all channels, linear (1.0 is 0 dBTP).
    ///   - loudnessRange: Loudness range in LU, or nil when unknown.
    public init(integrated: Double, truePeak: Double, loudnessRange: Double? = nil) {
        self.integrated = integrated >= Self.silentLUFS ? integrated : Self.silentLUFS
        self.truePeak = truePeak
        self.loudnessRange = loudnessRange
    }

    /// True when nothing in the song passed the absolute gate, so there is no loudness to level to.
    public var isSilent: Bool { integrated <= Self.silentLUFS }

    /// `truePeak` in dBTP (decibels relative to full scale); −∞ for digital silence.
    public var truePeakDBTP: Double { 20 * log10(truePeak) }
}

/// Measures a whole file's loudness in one go, on the calling thread.
///
/// Decodes with `AudioDecoder` into `format` (so a mono file is measured as the player would play it, upmixed)
/// and feeds a `LoudnessAccumulator`. Takes roughly as long as decoding the file plus the true-peak
/// oversampling; run it on a background or decoder thread, never on the ALSA thread.
public enum LoudnessMeter {
    /// Frames decoded per read: 85 ms at 48 kHz, the buffer reused for the whole file.
    static let chunkFrames = 4096

    /// Decodes the file at `path` and measures it.
    ///
    /// Silence, and audio shorter than one 400 ms gating block, give a measurement whose `integrated` is
    /// `LoudnessMeasurement.silentLUFS` (`isSilent` is true) rather than an error.
    ///
    /// - Throws: What `AudioDecoder` throws for a file that is missing, not audio, unsupported or corrupt, and
    ///   `DecodeError.decoderFailure` when libebur128 runs out of memory.
    public static func measure(
        path: String, format: AudioFormat = AudioFormat()
    ) throws(DecodeError)
        -> LoudnessMeasurement
    {
        let decoder = try AudioDecoder(path: path, format: format)
        let accumulator = LoudnessAccumulator(format: format)
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: chunkFrames * format.channels)
        defer { buffer.deallocate() }
        while true {
            let frames = try decoder.read(into: buffer, frames: chunkFrames)
            if frames == 0 { break }
            accumulator.add(UnsafeBufferPointer(rebasing: buffer[..<(frames * format.channels)]))
        }
        if accumulator.outOfMemory {
            throw .decoderFailure(path: path, detail: "libebur128 ran out of memory measuring loudness")
        }
        return accumulator.result() ?? LoudnessMeasurement(integrated: -.infinity, truePeak: 0)
    }
}

/// Measures loudness incrementally, as the audio goes by: the player's decoder thread feeds it what it decodes,
/// so a song's first play yields its measurement without decoding the file twice.
///
/// ```swift
/// let accumulator = LoudnessAccumulator(format: decoder.format)
/// while case let frames = try decoder.read(into: buffer, frames: 4096), frames > 0 {
///     accumulator.add(UnsafeBufferPointer(rebasing: buffer[..<(frames * decoder.format.channels)]))
///     ...
/// }
/// let loudness = accumulator.result()
/// ```
///
/// Memory grows slowly with the audio fed: libebur128 keeps one small list entry per 100 ms gating block and
/// one per second for the loudness range, on the order of 1 MB per hour of audio. Feeding the same audio in any
/// chunking gives the same result.
///
/// Threading: not thread-safe. Use it on one thread, the decoder thread or a background one: `add` allocates
/// now and then (libebur128 grows its block lists), so never from the ALSA output thread.
public final class LoudnessAccumulator {
    /// The format of the samples given to `add`.
    public let format: AudioFormat
    /// Frames added so far.
    public private(set) var framesAdded = 0
    /// True once libebur128 failed to allocate: the blocks from then on are missing, so `result()` is nil.
    public private(set) var outOfMemory = false

    private var state: UnsafeMutablePointer<ebur128_state>?

    /// Integrated loudness, true peak and loudness range; LRA implies short-term loudness, which costs little.
    private static let mode = Int32(
        bitPattern: EBUR128_MODE_I.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue
            | EBUR128_MODE_LRA.rawValue)

    /// Starts a measurement of audio in `format`.
    ///
    /// Channels are weighted as BS.1770-4 says for FFmpeg's default layouts, which is what `AudioDecoder`
    /// produces: 1 to 5 channels as L, R, C, Ls, Rs; 6 channels as 5.1 with the LFE channel ignored.
    /// Traps if libebur128 cannot start (out of memory, or a sample rate outside 16 Hz ... 2.8 MHz).
    public init(format: AudioFormat) {
        self.format = format
        state = ebur128_init(UInt32(format.channels), UInt(format.sampleRate), Self.mode)
        precondition(state != nil, "libebur128 cannot measure \(format) (out of memory or unsupported rate)")
        if format.channels == 6 {
            // FFmpeg's default 5.1 order is FL FR FC LFE BL BR; libebur128's default would weight LFE as Ls.
            let map = [
                EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_LEFT_SURROUND,
                EBUR128_RIGHT_SURROUND,
            ]
            for (index, channel) in map.enumerated() {
                ebur128_set_channel(state, UInt32(index), Int32(bitPattern: channel.rawValue))
            }
        }
    }

    deinit {
        ebur128_destroy(&state)
    }

    /// Adds interleaved samples in `format`: a whole number of frames, any number of them (0 is fine).
    public func add(_ samples: UnsafeBufferPointer<Int16>) {
        let channels = format.channels
        precondition(samples.count % channels == 0, "\(samples.count) samples is not whole \(channels)-ch frames")
        guard let base = samples.baseAddress, samples.count > 0 else { return }
        let frames = samples.count / channels
        if ebur128_add_frames_short(state, base, frames) != Int32(bitPattern: EBUR128_SUCCESS.rawValue) {
            outOfMemory = true
        }
        framesAdded += frames
    }

    /// The loudness of everything added so far; nil before any audio was added or after running out of memory.
    ///
    /// Can be asked at any time (it does not end the measurement) and costs a pass over the stored blocks.
    /// Less than 400 ms of audio, or silence, gives `integrated == LoudnessMeasurement.silentLUFS`.
    public func result() -> LoudnessMeasurement? {
        guard framesAdded > 0, !outOfMemory else { return nil }
        let success = Int32(bitPattern: EBUR128_SUCCESS.rawValue)
        var integrated = -Double.infinity
        guard ebur128_loudness_global(state, &integrated) == success else { return nil }
        var truePeak = 0.0
        for channel in 0..<format.channels {
            var peak = 0.0
            guard ebur128_true_peak(state, UInt32(channel), &peak) == success else { return nil }
            truePeak = max(truePeak, peak)
        }
        var measurement = LoudnessMeasurement(integrated: integrated, truePeak: truePeak)
        var range = 0.0
        if !measurement.isSilent, ebur128_loudness_range(state, &range) == success, range.isFinite {
            measurement.loudnessRange = range
        }
        return measurement
    }
}

/// The gain the player applies so that songs play equally loud without clipping.
///
/// ```swift
/// let gain = LoudnessGain.linearGain(for: song.loudness)   // nil (not measured yet) gives 1
/// ```
public enum LoudnessGain {
    /// Linear gain that brings `measurement` to `targetLUFS` without pushing its true peak above `ceilingDBTP`.
    ///
    ///     wanted  = 10^((targetLUFS − integrated) / 20)
    ///     ceiling = 10^(ceilingDBTP / 20) / truePeak          (no limit when truePeak is 0)
    ///     gain    = min(wanted, ceiling)
    ///
    /// So `truePeak × gain ≤ 10^(ceilingDBTP / 20)`: a quiet song with loud peaks is raised only as far as its
    /// peaks allow and ends up below the target, and a song whose peaks are already above the ceiling is turned
    /// down a little even when it is at the target. The result is never negative and is 1 (unchanged) when
    /// there is nothing to level: no measurement yet, a silent song, or values that are not finite.
    ///
    /// - Parameters:
    ///   - measurement: The song's loudness, or nil when it has not been measured yet.
    ///   - targetLUFS: Loudness every song is brought to; −18 LUFS (ReplayGain 2.0's reference level) leaves
    ///     headroom for the ceiling with typical music.
    ///   - ceilingDBTP: Highest true peak allowed after the gain, in dBTP; −1 as EBU R 128 recommends, which
    ///     leaves room for the overshoot of lossy encoders and resamplers.
    public static func linearGain(
        for measurement: LoudnessMeasurement?, targetLUFS: Double = -18, ceilingDBTP: Double = -1
    ) -> Float {
        guard let measurement, !measurement.isSilent, measurement.integrated.isFinite else { return 1 }
        var gain = pow(10, (targetLUFS - measurement.integrated) / 20)
        if measurement.truePeak > 0 {
            gain = min(gain, pow(10, ceilingDBTP / 20) / measurement.truePeak)
        }
        guard gain.isFinite else { return 1 }
        return Float(max(0, gain))
    }
}
