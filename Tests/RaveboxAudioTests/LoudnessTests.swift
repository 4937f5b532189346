import Foundation
import RaveboxAudio
import RaveboxCore
import RaveboxMedia
import RaveboxTestSupport
import Testing

@Suite struct LoudnessTests {
    /// A 10 s stereo test track made for one test, and where it lives.
    struct Track {
        let folder: TemporaryFolder
        let path: String
        let samples: [Int16]
    }

    /// What ffmpeg's `ebur128` filter says about a file (its summary, rounded to 0.1).
    struct FFmpegLoudness {
        var integrated: Double
        var truePeakDBTP: Double
    }

    static let ffmpegPath: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs ffmpeg quietly; fails the test with its error output when it fails.
    static func ffmpeg(_ arguments: [String]) throws -> ProcessRunner.Result {
        let result = try ProcessRunner.run(ffmpegPath ?? "/usr/bin/ffmpeg", ["-hide_banner", "-nostdin"] + arguments)
        try #require(result.status == 0, "ffmpeg \(arguments.joined(separator: " ")): \(result.standardError)")
        return result
    }

    /// `samples` × `gain`, rounded and clipped to the Int16 range, the way a player applies a gain.
    static func scaled(_ samples: [Int16], by gain: Double) -> [Int16] {
        samples.map { Int16(max(-32768, min(32767, (Double($0) * gain).rounded()))) }
    }

    /// 10 s of stereo pink noise (independent channels, fixed seeds) brought to about `lufs` by scaling it.
    /// With `clicks`, a few near-full-scale single-sample clicks are added: they barely change the loudness but
    /// put the true peak near 0 dBTP, so raising the track must stop at the ceiling.
    static func makeTrack(lufs: Double, clicks: Bool = false) throws -> Track {
        let folder = try TemporaryFolder("loudness")
        let noisePath = folder.file("noise.wav")
        _ = try ffmpeg([
            "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.1:duration=10:sample_rate=48000:seed=1",
            "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.1:duration=10:sample_rate=48000:seed=2",
            "-filter_complex", "[0][1]amerge=inputs=2", "-c:a", "pcm_s16le", noisePath,
        ])
        let noise = try LoudnessMeter.measure(path: noisePath)
        var samples = scaled(try TestAudio.decodeAll(noisePath), by: pow(10, (lufs - noise.integrated) / 20))
        if clicks {
            for second in 1...9 { samples[second * 48_000 * 2 + second % 2] = second % 2 == 0 ? 32_000 : -32_000 }
        }
        let path = folder.file("track.wav")
        try WAVFile.write(samples, to: path)
        return Track(folder: folder, path: path, samples: samples)
    }

    /// Integrated loudness and true peak from the summary ffmpeg's `ebur128` filter prints at the end.
    static func ffmpegLoudness(_ path: String) throws -> FFmpegLoudness {
        let output = try ffmpeg(["-nostats", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-"])
        let summary = try #require(output.standardError.components(separatedBy: "Summary:").last)
        func value(_ label: String) throws -> Double {
            let line = try #require(
                summary.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) },
                "no \(label) in ffmpeg's summary: \(summary)")
            let fields = line.split(separator: " ")
            return try #require(fields.count >= 2 ? Double(fields[1]) : nil, "cannot read \(line)")
        }
        return FFmpegLoudness(integrated: try value("I:"), truePeakDBTP: try value("Peak:"))
    }

    @Test(
        .enabled(if: ffmpegPath != nil, "needs the ffmpeg command to make the tracks and measure them"),
        arguments: [-30.0, -10.0]
    )
    func integratedLoudnessAgreesWithFFmpeg(lufs: Double) throws {
        let track = try Self.makeTrack(lufs: lufs)
        defer { track.folder.remove() }
        let ours = try LoudnessMeter.measure(path: track.path)
        let theirs = try Self.ffmpegLoudness(track.path)
        #expect(abs(ours.integrated - theirs.integrated) <= 0.5, "ours \(ours.integrated), ffmpeg \(theirs)")
        #expect(abs(ours.truePeakDBTP - theirs.truePeakDBTP) <= 0.5, "ours \(ours.truePeakDBTP), ffmpeg \(theirs)")
        #expect(abs(ours.integrated - lufs) <= 1, "the track should be about \(lufs) LUFS: \(ours.integrated)")
        let range = try #require(ours.loudnessRange)
        #expect(range >= 0 && range < 3, "steady noise has almost no loudness range: \(range) LU")
    }

    @Test(
        .enabled(if: ffmpegPath != nil, "needs the ffmpeg command to make the tracks"),
        arguments: [(-30.0, false), (-10.0, false), (-30.0, true)]
    )
    func gainLevelsTheTrackToTheTargetOrStopsAtTheCeiling(lufs: Double, clicks: Bool) throws {
        let track = try Self.makeTrack(lufs: lufs, clicks: clicks)
        defer { track.folder.remove() }
        let before = try LoudnessMeter.measure(path: track.path)
        let gain = LoudnessGain.linearGain(for: before)
        let wanted = pow(10, (-18 - before.integrated) / 20)
        let limited = before.truePeak * wanted > pow(10, -1.0 / 20)
        #expect(limited == clicks, "only the clicky track should hit the -1 dBTP ceiling: \(before)")

        let path = track.folder.file("levelled.wav")
        try WAVFile.write(Self.scaled(track.samples, by: Double(gain)), to: path)
        let after = try LoudnessMeter.measure(path: path)
        if limited {
            #expect(after.truePeakDBTP <= -1 + 0.1, "true peak after the gain: \(after.truePeakDBTP) dBTP")
            #expect(after.integrated < -18, "held back by the ceiling, so below the target: \(after.integrated)")
        } else {
            #expect(abs(after.integrated - -18) <= 1, "after the gain: \(after.integrated) LUFS")
        }
    }

    @Test func fileThatIsNotAudioThrowsTheDecodersError() throws {
        let folder = try TemporaryFolder("loudness")
        defer { folder.remove() }
        let path = folder.file("song.mp3")
        try Data(String(repeating: "These are the lyrics, not the song.\n", count: 200).utf8)
            .write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: DecodeError.self) { try LoudnessMeter.measure(path: path) }
        guard case .notAudio(let failedPath, _) = error else {
            Issue.record("expected DecodeError.notAudio, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
    }

    @Test func silenceMeasuresAsSilentAndGetsNoGain() throws {
        let folder = try TemporaryFolder("loudness")
        defer { folder.remove() }
        let path = folder.file("silence.wav")
        try WAVFile.write([Int16](repeating: 0, count: 48_000 * 2 * 3), to: path)
        let measurement = try LoudnessMeter.measure(path: path)
        #expect(measurement == LoudnessMeasurement(integrated: -70, truePeak: 0, loudnessRange: nil))
        #expect(measurement.isSilent)
        #expect(LoudnessGain.linearGain(for: measurement) == 1)
    }

    @Test func audioShorterThanOneGatingBlockMeasuresAsSilent() throws {
        let folder = try TemporaryFolder("loudness")
        defer { folder.remove() }
        let path = folder.file("blip.wav")
        try WAVFile.write(WAVFile.sine(frequency: 1000, seconds: 0.3), to: path)
        let measurement = try LoudnessMeter.measure(path: path)
        #expect(measurement.isSilent && measurement.integrated == LoudnessMeasurement.silentLUFS)
        #expect(abs(measurement.truePeak - 0.5) < 0.02, "the blip's peak is still measured: \(measurement)")
        #expect(LoudnessGain.linearGain(for: measurement) == 1)
    }

    @Test(.enabled(if: ffmpegPath != nil, "needs the ffmpeg command to make the track"))
    func accumulatorFedInOddChunksMatchesMeasure() throws {
        let track = try Self.makeTrack(lufs: -20)
        defer { track.folder.remove() }
        let accumulator = LoudnessAccumulator(format: AudioFormat())
        #expect(accumulator.result() == nil)
        let chunkFrames = [1, 7, 333, 4801, 0, 2, 1999]
        var start = 0
        var chunk = 0
        track.samples.withUnsafeBufferPointer { samples in
            while start < samples.count {
                let end = min(samples.count, start + chunkFrames[chunk % chunkFrames.count] * 2)
                accumulator.add(UnsafeBufferPointer(rebasing: samples[start..<end]))
                start = end
                chunk += 1
            }
        }
        #expect(accumulator.framesAdded == track.samples.count / 2)
        #expect(accumulator.result() == (try LoudnessMeter.measure(path: track.path)))
    }

    @Test(
        arguments: [
            (nil, 1.0),
            (LoudnessMeasurement(integrated: -18, truePeak: 0.5), 1.0),
            (LoudnessMeasurement(integrated: -24, truePeak: 0.1), pow(10, 6.0 / 20)),
            (LoudnessMeasurement(integrated: -8, truePeak: 1.2), pow(10, -10.0 / 20)),
            // Quiet with loud peaks: raised only until the peak reaches -1 dBTP.
            (LoudnessMeasurement(integrated: -30, truePeak: 0.5), pow(10, -1.0 / 20) / 0.5),
            // At the target but peaking above the ceiling: turned down a little.
            (LoudnessMeasurement(integrated: -18, truePeak: 1.0), pow(10, -1.0 / 20)),
            (LoudnessMeasurement(integrated: -70, truePeak: 0), 1.0),
            (LoudnessMeasurement(integrated: -.infinity, truePeak: 0.001), 1.0),
        ] as [(LoudnessMeasurement?, Double)]
    )
    func linearGainFollowsTheFormula(measurement: LoudnessMeasurement?, expected: Double) {
        let gain = LoudnessGain.linearGain(for: measurement)
        #expect(abs(Double(gain) - expected) < 1e-5, "gain \(gain), expected \(expected)")
    }

    @Test func linearGainHonoursOtherTargetsAndCeilings() {
        let song = LoudnessMeasurement(integrated: -20, truePeak: 0.25)
        #expect(abs(LoudnessGain.linearGain(for: song, targetLUFS: -14, ceilingDBTP: 0) - 1.9953) < 1e-3)
        #expect(abs(LoudnessGain.linearGain(for: song, targetLUFS: -14, ceilingDBTP: -12) - 1.0047) < 1e-3)
        #expect(LoudnessGain.linearGain(for: song, targetLUFS: -200) > 0)
    }

    @Test func silentMeasurementSurvivesJSON() throws {
        let silent = LoudnessMeasurement(integrated: -.infinity, truePeak: 0)
        let decoded = try JSONDecoder().decode(LoudnessMeasurement.self, from: try JSONEncoder().encode(silent))
        #expect(decoded == silent && decoded.isSilent)
    }
}
