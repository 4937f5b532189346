import Testing

@testable import RaveboxAudio

@Suite("VolumeRamp")
struct VolumeRampTests {
    @Test func fullVolumeLeavesSamplesBitExact() {
        var ramp = VolumeRamp(initial: 1, sampleRate: 48_000)
        var samples: [Int16] = [.min, -1, 0, 1, 12_345, .max]
        let original = samples
        samples.withUnsafeMutableBufferPointer { ramp.apply(to: $0.baseAddress!, frames: 3, channels: 2, target: 1) }
        #expect(samples == original)
    }

    @Test func volumeChangeMovesGraduallyToTheTarget() {
        var ramp = VolumeRamp(initial: 1, sampleRate: 48_000, rampSeconds: 0.02)
        let frames = 2_000
        var samples = [Int16](repeating: 16_000, count: frames)
        samples.withUnsafeMutableBufferPointer {
            ramp.apply(to: $0.baseAddress!, frames: frames, channels: 1, target: 0.5)
        }
        // 1.0 → 0.5 at 1/960 per frame takes 480 frames.
        let largestStep = zip(samples, samples.dropFirst()).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(largestStep <= 17)
        #expect(samples[0] < 16_000)
        #expect(samples[400] > 8_000)
        #expect(samples[479] == 8_000)
        #expect(samples.last == 8_000)
        #expect(ramp.current == 0.5)
    }

    @Test func silenceIsExactlyZero() {
        var ramp = VolumeRamp(initial: 0, sampleRate: 48_000)
        var samples: [Int16] = [.min, .max, 123]
        samples.withUnsafeMutableBufferPointer { ramp.apply(to: $0.baseAddress!, frames: 3, channels: 1, target: 0) }
        #expect(samples == [0, 0, 0])
    }
}
