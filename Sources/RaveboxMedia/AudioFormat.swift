/// The PCM format Ravebox plays: interleaved signed 16-bit little-endian samples.
///
/// A *frame* is one sample per channel (`channels` samples, `bytesPerFrame` bytes); a *sample* is one `Int16`.
/// Every decoder output, ring and ALSA buffer in this module uses this layout, so only the rate and the channel
/// count vary.
///
/// ```swift
/// let format = AudioFormat()                 // 48 000 Hz, stereo
/// let bytesPerSecond = format.sampleRate * format.bytesPerFrame
/// ```
public struct AudioFormat: Sendable, Hashable, CustomStringConvertible {
    /// Frames per second (Hz).
    public var sampleRate: Int
    /// Interleaved channels per frame (1 = mono, 2 = stereo, ...).
    public var channels: Int

    /// - Parameters:
    ///   - sampleRate: Frames per second (Hz); 48 000 by default, the rate of the Pi's HDMI and most USB DACs.
    ///   - channels: Channels per frame; 2 by default.
    public init(sampleRate: Int = 48_000, channels: Int = 2) {
        precondition(sampleRate > 0 && channels > 0, "AudioFormat needs a positive rate and channel count")
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Bytes in one frame: `channels` × 2 (signed 16-bit samples).
    public var bytesPerFrame: Int { channels * MemoryLayout<Int16>.size }

    /// Frames in `seconds` of audio, rounded to the nearest frame.
    public func frames(inSeconds seconds: Double) -> Int {
        Int((seconds * Double(sampleRate)).rounded())
    }

    /// Seconds that `frames` frames last.
    public func seconds(ofFrames frames: Int) -> Double {
        Double(frames) / Double(sampleRate)
    }

    public var description: String { "\(sampleRate) Hz, \(channels) ch, s16le" }
}
