/// Applies the player's volume to samples, moving to a new volume gradually so changes never click.
///
/// The gain changes by at most `stepPerFrame` per frame (a full 0 → 1 swing takes `rampSeconds`, 20 ms by
/// default: short enough to feel instant, long enough to avoid the step discontinuity a listener hears as a
/// click). At exactly 1.0 the samples are left untouched, bit for bit.
///
/// Threading: owned by the output thread. Allocation-free and lock-free.
struct VolumeRamp {
    /// Highest gain: the volume (≤ 1) times a quiet song's loudness gain. Samples saturate at full scale.
    static let maximumGain: Float = 8
    /// Gain applied to the last frame processed, 0...`maximumGain`.
    private(set) var current: Float
    /// Largest gain change between two consecutive frames.
    let stepPerFrame: Float

    /// - Parameters:
    ///   - initial: Starting gain, 0...1.
    ///   - sampleRate: Frames per second (Hz).
    ///   - rampSeconds: Time a full-scale (0 → 1) change takes.
    init(initial: Float, sampleRate: Int, rampSeconds: Double = 0.02) {
        current = min(max(initial, 0), Self.maximumGain)
        stepPerFrame = Float(1 / max(1, rampSeconds * Double(sampleRate)))
    }

    /// Scales `frames` interleaved frames in place, moving the gain toward `target` (clamped to
    /// 0...`maximumGain`).
    mutating func apply(to samples: UnsafeMutablePointer<Int16>, frames: Int, channels: Int, target: Float) {
        let target = target.isNaN ? 0 : min(max(target, 0), Self.maximumGain)
        if current == target {
            if target == 1 { return }
            let gain = target
            for index in 0..<(frames * channels) {
                samples[index] = Self.scale(samples[index], by: gain)
            }
            return
        }
        var gain = current
        for frame in 0..<frames {
            if gain < target {
                gain = min(target, gain + stepPerFrame)
            } else if gain > target {
                gain = max(target, gain - stepPerFrame)
            }
            if gain != 1 {
                let base = frame * channels
                for channel in 0..<channels {
                    samples[base + channel] = Self.scale(samples[base + channel], by: gain)
                }
            }
        }
        current = gain
    }

    @inline(__always)
    private static func scale(_ sample: Int16, by gain: Float) -> Int16 {
        Int16(min(32_767, max(-32_768, (Float(sample) * gain).rounded())))
    }
}
