import Foundation

/// Interleaved stereo 16-bit PCM that sounds roughly like dance music, so the analyzer's gain, onset and tempo
/// code runs its real paths: the same recipe as bench/engine-cpu.sh (kick, bass, Am–F–C–G chords, off-beat
/// hi-hats, a pink-ish noise bed; the right channel slightly detuned).
///
/// 120 BPM (one beat = 0.5 s) and a chord every 2 s, so `seconds` that are a multiple of 8 loop seamlessly.
enum MusicLikeSignal {
    static func stereo(seconds: Int, sampleRate: Int = 48_000) -> [Int16] {
        let frames = seconds * sampleRate
        var pcm = [Int16](repeating: 0, count: 2 * frames)
        var random = SplitMix64(seed: 7)
        // Pink-ish noise: three leaky integrators of white noise (Paul Kellet's economy filter), per channel.
        var pinkLeft = (0.0, 0.0, 0.0)
        var pinkRight = (0.0, 0.0, 0.0)
        var previousHat = 0.0
        let roots = [110.0, 87.31, 130.81, 98.0]
        let thirds = [1.1892, 1.2599, 1.2599, 1.2599]
        for frame in 0..<frames {
            let t = Double(frame) / Double(sampleRate)
            let beat = t.truncatingRemainder(dividingBy: 0.5)
            let chord = Int(t / 2) % 4
            let root = roots[chord]
            let kick = 0.5 * sin(2 * .pi * (45 * beat + 4 * (1 - exp(-25 * beat)))) * exp(-7 * beat)
            let bass = 0.25 * sin(2 * .pi * root / 2 * t) * (0.6 + 0.4 * exp(-6 * beat))
            func chordTone(_ detune: Double) -> Double {
                0.07
                    * (sin(2 * .pi * root * 2 * detune * t) + sin(2 * .pi * root * 2 * thirds[chord] * detune * t)
                        + sin(2 * .pi * root * 3 * detune * t))
            }
            // Hi-hat: white noise, crudely high-passed (first difference), on the off-beats.
            let white = random.nextSigned()
            let hat = 0.25 * (white - previousHat) * 0.5 * exp(-40 * (t + 0.25).truncatingRemainder(dividingBy: 0.5))
            previousHat = white
            func pink(_ state: inout (Double, Double, Double)) -> Double {
                let white = random.nextSigned()
                state.0 = 0.99765 * state.0 + white * 0.0990460
                state.1 = 0.96300 * state.1 + white * 0.2965164
                state.2 = 0.57000 * state.2 + white * 1.0526913
                return 0.02 * (state.0 + state.1 + state.2 + white * 0.1848) / 3
            }
            let left = kick + bass + chordTone(1) + hat + pink(&pinkLeft)
            let right = kick + bass + chordTone(1.002) + hat + pink(&pinkRight)
            pcm[2 * frame] = sample(left)
            pcm[2 * frame + 1] = sample(right)
        }
        return pcm
    }

    /// Soft limit at 0.9 full scale, like the script's alimiter.
    private static func sample(_ value: Double) -> Int16 {
        let limited = 0.9 * tanh(value / 0.9)
        return Int16((limited * 32_767).rounded())
    }
}

/// Deterministic random numbers (SplitMix64), so every run benchmarks the same signal.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in -1...1.
    mutating func nextSigned() -> Double {
        Double(next() >> 11) / Double(1 << 53) * 2 - 1
    }
}
