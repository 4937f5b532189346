import Foundation
import Testing

@testable import RaveboxDSP

/// Golden-signal tests: every signal is synthesised here, at 48 kHz.
@Suite struct AudioAnalyzerTests {
    private static let sampleRate = 48_000.0

    /// Small deterministic generator (SplitMix64), so noise is the same on every run.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }

    private static func int16(_ signal: [Double]) -> [Int16] {
        signal.map { Int16(max(-32_767, min(32_767, ($0 * 32_767).rounded()))) }
    }

    private static func sine(frequency: Double, amplitude: Double, seconds: Double) -> [Double] {
        (0..<Int(seconds * sampleRate)).map { amplitude * sin(2 * Double.pi * frequency * Double($0) / sampleRate) }
    }

    /// A decaying 60 Hz kick every beat over white noise (noise RMS about −25 dBFS, kick peak −6 dBFS).
    private static func kickTrack(
        bpm: Double, seconds: Double, seed: UInt64 = 1
    ) -> (signal: [Double], kicks: [Double]) {
        var generator = SeededGenerator(state: seed)
        let period = 60 / bpm
        let signal = (0..<Int(seconds * sampleRate)).map { index in
            let time = Double(index) / sampleRate
            let sinceKick = time - (time / period).rounded(.down) * period
            let kick = 0.5 * exp(-sinceKick * 15) * sin(2 * Double.pi * 60 * sinceKick)
            return kick + Double.random(in: -0.1...0.1, using: &generator)
        }
        let kicks = stride(from: 0, to: seconds, by: period).map { $0 }
        return (signal, kicks)
    }

    /// Short clicks at a steady tempo in digital silence: a single-sample impulse (`burstFrames == 1`) or a
    /// `burstFrames` long 1 kHz burst, at half of full scale, the first one at frame `firstClick`.
    private static func clickTrack(
        bpm: Double, seconds: Double, firstClick: Int, burstFrames: Int
    ) -> (signal: [Double], clicks: [Double]) {
        let count = Int(seconds * sampleRate)
        let period = 60 / bpm * sampleRate
        var signal = [Double](repeating: 0, count: count)
        var clicks: [Double] = []
        var click = 0
        while true {
            let start = firstClick + Int((Double(click) * period).rounded())
            guard start + burstFrames <= count else { break }
            for index in 0..<burstFrames {
                signal[start + index] =
                    burstFrames == 1 ? 0.5 : 0.5 * sin(2 * Double.pi * 1_000 * Double(index) / sampleRate)
            }
            clicks.append(Double(start) / sampleRate)
            click += 1
        }
        return (signal, clicks)
    }

    /// Something like a song: kicks, a walking bass line, a chord, off-beat hi-hats and noise, scaled to an RMS
    /// of `decibels` dBFS.
    private static func music(seconds: Double, decibels: Double) -> [Double] {
        var generator = SeededGenerator(state: 7)
        let period = 0.5
        let bassNotes = [55.0, 65.4, 73.4, 82.4]
        var signal = (0..<Int(seconds * sampleRate)).map { index in
            let time = Double(index) / sampleRate
            let sinceKick = time.truncatingRemainder(dividingBy: period)
            let kick = exp(-sinceKick * 15) * sin(2 * Double.pi * 60 * sinceKick)
            let bass = 0.4 * sin(2 * Double.pi * bassNotes[Int(time / 2) % bassNotes.count] * time)
            let chord = [440.0, 554, 659].reduce(0) { $0 + 0.1 * sin(2 * Double.pi * $1 * time) }
            let sinceHat = (time + period / 2).truncatingRemainder(dividingBy: period)
            let noise = Double.random(in: -1...1, using: &generator)
            let hat = 0.3 * exp(-sinceHat * 60) * noise
            return kick + bass + chord + hat + 0.02 * noise
        }
        let rms = (signal.reduce(0) { $0 + $1 * $1 } / Double(signal.count)).squareRoot()
        let gain = pow(10, decibels / 20) / rms
        for index in signal.indices { signal[index] *= gain }
        return signal
    }

    /// Pushes `samples` one hop at a time and calls `afterHop` with the time (s) at the end of each hop.
    private static func run(
        _ analyzer: AudioAnalyzer, _ samples: [Int16], afterHop: (Double) -> Void = { _ in }
    ) {
        let hop = analyzer.configuration.hop
        samples.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(start + hop, buffer.count)
                let hops = analyzer.push(UnsafeBufferPointer(rebasing: buffer[start..<end]), channels: 1)
                if hops > 0 { afterHop(Double(analyzer.hopsProcessed * hop) / sampleRate) }
                start = end
            }
        }
    }

    private static func loudestBand(_ analyzer: AudioAnalyzer) -> Int {
        analyzer.bands.indices.max { analyzer.bands[$0] < analyzer.bands[$1] } ?? -1
    }

    private static func band(containing frequency: Double, _ analyzer: AudioAnalyzer) -> Int {
        analyzer.bandFrequencies.firstIndex { $0.contains(frequency) } ?? -1
    }

    // MARK: - Bands

    @Test func bandsAreLogSpacedWideEnoughAndCoverTheRange() throws {
        for bandCount in [16, 32, 64, 256] {
            var configuration = AnalyzerConfiguration()
            configuration.bandCount = bandCount
            let analyzer = try AudioAnalyzer(configuration: configuration)
            let frequencies = analyzer.bandFrequencies
            #expect(frequencies.count == bandCount)
            #expect(frequencies.first?.lowerBound == 40)
            #expect(abs((frequencies.last?.upperBound ?? 0) - 16_000) < 1e-6)
            for (lower, upper) in zip(frequencies, frequencies.dropFirst()) {
                #expect(lower.upperBound == upper.lowerBound)
                let widths = (lower.upperBound - lower.lowerBound, upper.upperBound - upper.lowerBound)
                #expect(widths.1 >= widths.0 - 1e-6, "bands never get narrower going up")
            }
            #expect(frequencies.allSatisfy { $0.upperBound - $0.lowerBound >= 1.5 * 48_000 / 2048 - 1e-6 })
        }
    }

    @Test func invalidSettingsAreRejectedWithTheirName() {
        var configuration = AnalyzerConfiguration()
        configuration.bandCount = 300
        #expect(throws: AnalyzerConfigurationError.self) { try AudioAnalyzer(configuration: configuration) }
        configuration = AnalyzerConfiguration()
        configuration.maximumFrequency = 30_000
        do {
            _ = try AudioAnalyzer(configuration: configuration)
            Issue.record("a maximum frequency above Nyquist was accepted")
        } catch {
            #expect(error.description.contains("maximumFrequency"))
        }
    }

    @Test(arguments: [60.0, 1_000.0, 8_000.0], [16, 32, 256])
    func sineLightsTheBandThatHoldsItsFrequency(frequency: Double, bandCount: Int) throws {
        var configuration = AnalyzerConfiguration()
        configuration.bandCount = bandCount
        let analyzer = try AudioAnalyzer(configuration: configuration)
        var inRange = true
        Self.run(analyzer, Self.int16(Self.sine(frequency: frequency, amplitude: 0.5, seconds: 1))) { _ in
            inRange = inRange && analyzer.bands.allSatisfy { (0...1).contains($0) } && (0...1).contains(analyzer.level)
        }
        #expect(inRange)
        let holding = Self.band(containing: frequency, analyzer)
        let loudest = Self.loudestBand(analyzer)
        #expect(abs(loudest - holding) <= 1, "loudest band \(loudest), \(frequency) Hz is in band \(holding)")
        // Exactly: the sine's energy peaks in the FFT bin nearest to it, which belongs to the band holding the bin's
        // centre. With 256 bands, 8 kHz (band 7993...8070 Hz) peaks in bin 341 at 7992 Hz, one band lower.
        let nearestBin = (frequency / configuration.binWidth).rounded() * configuration.binWidth
        #expect(loudest == Self.band(containing: nearestBin, analyzer))
        #expect(analyzer.bands[holding] > 0.9)
        // Far bands stay dark: the shape of the spectrum survives the automatic gain.
        let far = analyzer.bands.indices.filter { abs($0 - loudest) > 3 }
        #expect(far.allSatisfy { analyzer.bands[$0] < 0.05 })
    }

    /// White noise has the same power in every FFT bin, so a band's energy is proportional to the number of bins it
    /// sums. Criterion: averaged over two seconds, every band is lit (at least 0.35, i.e. within 26 dB of the gain
    /// reference) and sits within 0.1 (4 dB) of what its bin count predicts relative to the widest band, so no band
    /// stands out or drops away.
    @Test(arguments: [16, 32, 256])
    func whiteNoiseLightsEveryBandInProportionToItsWidth(bandCount: Int) throws {
        var configuration = AnalyzerConfiguration()
        configuration.bandCount = bandCount
        let analyzer = try AudioAnalyzer(configuration: configuration)
        var generator = SeededGenerator(state: 5)
        let noise = (0..<Int(4 * Self.sampleRate)).map { _ in Double.random(in: -0.3...0.3, using: &generator) }
        var sums = [Double](repeating: 0, count: bandCount)
        var hops = 0
        Self.run(analyzer, Self.int16(noise)) { time in
            guard time > 2 else { return }
            hops += 1
            for band in 0..<bandCount { sums[band] += Double(analyzer.bands[band]) }
        }
        let means = sums.map { $0 / Double(hops) }
        // Bin k (centre k × binWidth) is summed into the band whose range holds its centre.
        let bins = analyzer.bandFrequencies.map { range in
            (0...configuration.windowSize / 2).filter { range.contains(Double($0) * configuration.binWidth) }.count
        }
        let widest = try #require(bins.indices.max { bins[$0] < bins[$1] })
        for band in 0..<bandCount {
            let predicted =
                means[widest] + 10 * log10(Double(bins[band]) / Double(bins[widest])) / configuration.dynamicRange
            #expect(means[band] >= 0.35, "band \(band) at \(means[band])")
            #expect(abs(means[band] - predicted) <= 0.1, "band \(band) at \(means[band]), predicted \(predicted)")
        }
        #expect(!analyzer.isSilent)
    }

    @Test(arguments: [-30.0, -6.0])
    func automaticGainFillsTheRangeForQuietAndLoudSongs(decibels: Double) throws {
        let analyzer = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        var loudest: Float = 0
        var levels: [Float] = []
        var inRange = true
        Self.run(analyzer, Self.int16(Self.music(seconds: 5, decibels: decibels))) { time in
            inRange = inRange && analyzer.bands.allSatisfy { (0...1).contains($0) }
            if time > 3 {
                loudest = max(loudest, analyzer.bands.max() ?? 0)
                levels.append(analyzer.level)
            }
        }
        #expect(inRange)
        #expect(loudest > 0.6)
        let meanLevel = levels.reduce(0, +) / Float(levels.count)
        #expect(meanLevel > 0.4 && meanLevel <= 1)
        #expect(!analyzer.isSilent)
    }

    // MARK: - Silence

    @Test(arguments: [512, 256])
    func digitalSilenceFromTheStartStaysDark(hop: Int) throws {
        var configuration = AnalyzerConfiguration()
        configuration.hop = hop
        let analyzer = try AudioAnalyzer(configuration: configuration)
        var hops = 0
        Self.run(analyzer, [Int16](repeating: 0, count: Int(2 * Self.sampleRate))) { time in
            hops += 1
            #expect(analyzer.bands.allSatisfy { $0 == 0 })
            #expect(analyzer.level == 0)
            #expect(!analyzer.beat)
            #expect(analyzer.tempo == nil)
            #expect(analyzer.isSilent == (time > configuration.silenceHoldTime), "at \(time) s")
        }
        #expect(hops == Int(2 * Self.sampleRate) / hop)
        #expect(analyzer.beatCount == 0)
    }

    @Test func silenceIsReportedAfterHalfASecondAndBandsFadeOut() throws {
        let analyzer = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        Self.run(analyzer, Self.int16(Self.music(seconds: 1, decibels: -20)))
        #expect(!analyzer.isSilent)
        #expect((analyzer.bands.max() ?? 0) > 0.5)

        let silence = [Int16](repeating: 0, count: Int(0.45 * Self.sampleRate))
        Self.run(analyzer, silence)
        #expect(!analyzer.isSilent, "0.45 s of silence is a pause, not silence")
        Self.run(analyzer, [Int16](repeating: 0, count: Int(0.1 * Self.sampleRate)))
        #expect(analyzer.isSilent)
        #expect(!analyzer.beat)
        #expect(analyzer.tempo == nil)
        Self.run(analyzer, [Int16](repeating: 0, count: Int(1.5 * Self.sampleRate)))
        #expect(analyzer.bands.allSatisfy { $0 < 0.02 })
        #expect(analyzer.level < 0.02)

        // Quiet hiss below −60 dBFS counts as silence too; music brings the box back at once.
        Self.run(analyzer, Self.int16(Self.sine(frequency: 3_000, amplitude: 0.0005, seconds: 0.2)))
        #expect(analyzer.isSilent)
        Self.run(analyzer, Self.int16(Self.music(seconds: 0.05, decibels: -20)))
        #expect(!analyzer.isSilent)
    }

    // MARK: - Beats and tempo

    @Test(arguments: [120.0, 128.0])
    func kickDrumGivesOneBeatPerKickAndItsTempo(bpm: Double) throws {
        let analyzer = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        let track = Self.kickTrack(bpm: bpm, seconds: 10)
        var beats: [Double] = []
        var strengths: [Float] = []
        Self.run(analyzer, Self.int16(track.signal)) { time in
            if analyzer.beat {
                beats.append(time)
                strengths.append(analyzer.beatStrength)
            }
        }
        #expect(abs(beats.count - track.kicks.count) <= 1, "beats at \(beats)")
        let intervals = zip(beats, beats.dropFirst()).map { $1 - $0 }
        #expect(intervals.allSatisfy { $0 >= 0.1 })
        // Each beat comes within two hops (21 ms) plus the window's look-back of a kick.
        let hop = Double(analyzer.configuration.hop) / Self.sampleRate
        for time in beats {
            let nearest = track.kicks.min { abs($0 - time) < abs($1 - time) } ?? -1
            #expect(time - nearest >= 0 && time - nearest <= 2 * hop + 0.001, "beat at \(time)")
        }
        #expect(strengths.allSatisfy { $0 > 0 && $0 <= 1 })
        let tempo = try #require(analyzer.tempo)
        #expect(abs(tempo - bpm) <= 2, "tempo \(tempo)")
    }

    /// A beat is timed at the end of the hop that reports it, so it can only come after its click. At 120 BPM
    /// (24 000 frames) each click lands 64 frames earlier in the hop than the one before; with the first click
    /// moved in 4-frame steps the clicks take every 4th position within a hop, the end of the hop included.
    @Test(arguments: [512, 256], [1, 240])
    func clickTrackGivesOneBeatPerClickWithin15Milliseconds(hop: Int, burstFrames: Int) throws {
        var configuration = AnalyzerConfiguration()
        configuration.hop = hop
        for firstClick in stride(from: 4_800, to: 4_864, by: 4) {
            let analyzer = try AudioAnalyzer(configuration: configuration)
            let track = Self.clickTrack(bpm: 120, seconds: 5, firstClick: firstClick, burstFrames: burstFrames)
            var beats: [Double] = []
            Self.run(analyzer, Self.int16(track.signal)) { time in if analyzer.beat { beats.append(time) } }
            #expect(beats.count == track.clicks.count, "first click at frame \(firstClick), beats at \(beats)")
            for (beat, click) in zip(beats, track.clicks) {
                #expect(beat >= click && beat - click <= 0.015, "click at \(click) s, beat at \(beat) s")
            }
        }
    }

    @Test(arguments: [512, 256])
    func steadyToneGivesNoBeatAfterItsStart(hop: Int) throws {
        var configuration = AnalyzerConfiguration()
        configuration.hop = hop
        let analyzer = try AudioAnalyzer(configuration: configuration)
        var beats: [Double] = []
        Self.run(analyzer, Self.int16(Self.sine(frequency: 440, amplitude: 0.5, seconds: 5))) { time in
            if analyzer.beat { beats.append(time) }
        }
        // The tone starting out of the initial silence may count as one onset; nothing after that.
        #expect(beats.count <= 1 && beats.allSatisfy { $0 <= 0.05 }, "beats at \(beats)")
        #expect(!analyzer.isSilent)
    }

    @Test func beatCountKeepsEveryBeatWhenOnePushRunsManyHops() throws {
        let samples = Self.int16(Self.kickTrack(bpm: 120, seconds: 10).signal)
        let stepped = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        var beats = 0
        var strength: Float = 0
        var consistent = true
        Self.run(stepped, samples) { _ in
            if stepped.beat {
                beats += 1
                strength = stepped.beatStrength
            }
            consistent = consistent && stepped.beatCount == beats && stepped.lastBeatStrength == strength
        }
        #expect(consistent, "beatCount and lastBeatStrength follow the beats hop by hop")
        #expect(beats >= 19, "\(beats) beats for 20 kicks")
        #expect(strength > 0)

        let whole = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        #expect(whole.push(samples, channels: 1) == samples.count / 512)
        #expect(whole.beatCount == beats)
        #expect(whole.lastBeatStrength == strength)
    }

    @Test func steadyNoiseHasNoTempoAndFewBeats() throws {
        let analyzer = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        var generator = SeededGenerator(state: 3)
        let noise = (0..<Int(6 * Self.sampleRate)).map { _ in Double.random(in: -0.2...0.2, using: &generator) }
        var beats = 0
        Self.run(analyzer, Self.int16(noise)) { _ in if analyzer.beat { beats += 1 } }
        #expect(analyzer.tempo == nil)
        #expect(beats <= 2, "\(beats) beats in 6 s of steady noise")
    }

    // MARK: - Hop accounting

    @Test func anyChunkingRunsOneAnalysisPerHopFrames() throws {
        // Stereo: 48 000 frames = 96 000 samples. The window starts as silence, so hops = floor(48000 / 512) = 93.
        let left = Self.music(seconds: 1, decibels: -12)
        let stereo = Self.int16(left.flatMap { [$0, -0.5 * $0] })
        let whole = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        #expect(whole.push(stereo, channels: 2) == 93)
        #expect(whole.hopsProcessed == 93)

        let chunked = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        let chunkFrames = [1, 7, 113, 511, 512, 513, 1_021, 3, 2_048, 4_999]
        var ran = 0
        var start = 0
        var chunk = 0
        stereo.withUnsafeBufferPointer { buffer in
            while start < buffer.count {
                let end = min(start + 2 * chunkFrames[chunk % chunkFrames.count], buffer.count)
                ran += chunked.push(UnsafeBufferPointer(rebasing: buffer[start..<end]), channels: 2)
                start = end
                chunk += 1
            }
        }
        #expect(ran == 93)
        #expect(chunked.hopsProcessed == 93)
        #expect(chunked.bands == whole.bands)
        #expect(chunked.level == whole.level)

        let short = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        #expect(short.push([Int16](repeating: 100, count: 2 * 511), channels: 2) == 0)
        #expect(short.push([Int16](repeating: 100, count: 2), channels: 2) == 1)
    }
}
