import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio

/// The player end to end: real decoding, real `snd_pcm_*` calls into ALSA's `file` plugin, real threads.
@Suite("Player")
struct PlayerTests {
    /// A started player writing to its own file; and that file's path.
    static func makePlayer(
        _ directory: String, pacing: Pacing = .off, logger: LogCapture? = nil
    ) throws -> (Player, String) {
        let outputPath = directory + "/played.raw"
        let player = Player(
            device: ALSATestDevice.file(at: outputPath), pacing: pacing,
            logger: logger?.logger ?? TestAudio.logger
        )
        try player.start()
        return (player, outputPath)
    }

    @Test func songAtFullVolumeReachesTheDeviceBitExact() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let song = try WAVFile.write(samples, in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path)
        player.play(path: song, from: 0, token: 1)
        var seen: [PlayerEvent] = []
        let end = player.waitForEvent(timeout: 10, seen: &seen) { $0.token == 1 && $0 != .started(1) }
        #expect(end == .finished(1))
        #expect(seen.first == .started(1))
        #expect(player.status.state == .idle)
        player.shutdown()
        let played = TestAudio.samples(inRawFile: outputPath)
        #expect(describeDifference(played, samples) == nil)
    }

    @Test func unplayableFilesFailQuicklyAndTheNextSongStillPlays() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let noise = folder.file("noise.mp3")
        var generator = SplitMix(seed: 1)
        try Data((0..<100_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            .write(to: URL(fileURLWithPath: noise))
        let samples = TestAudio.stereoSines(frames: 24_000)
        let truncated = folder.file("truncated.wav")
        try WAVFile.bytes(samples).prefix(40).write(to: URL(fileURLWithPath: truncated))
        let good = try WAVFile.write(samples, in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)

        for (token, path) in [(Int64(1), noise), (2, truncated), (3, folder.file("missing.flac"))] {
            let began = Date()
            player.play(path: path, from: 0, token: token)
            let end = player.waitForEnd(of: token, timeout: 5)
            let elapsed = Date().timeIntervalSince(began)
            guard case .failed(token, let reason) = end else {
                Issue.record("\(path): expected failed, got \(String(describing: end))")
                continue
            }
            #expect(!reason.isEmpty)
            #expect(elapsed < 0.5, "\(path) took \(elapsed) s to fail")
            #expect(player.status.state == .idle)
        }
        player.play(path: good, from: 0, token: 4)
        #expect(player.waitForEnd(of: 4, timeout: 10) == .finished(4))
        player.shutdown()
        #expect(describeDifference(TestAudio.samples(inRawFile: outputPath), samples) == nil)
    }

    @Test func clocklessDeviceIsPacedToRealTime() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let song = try WAVFile.write(samples, in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)
        let began = Date()
        player.play(path: song, from: 0, token: 7)
        usleep(500_000)
        let position = player.status.position
        #expect(abs(position - 0.5) < 0.1, "position \(position) s after 0.5 s of wall time")
        #expect(player.waitForEnd(of: 7, timeout: 10) == .finished(7))
        let elapsed = Date().timeIntervalSince(began)
        #expect(elapsed >= 0.9, "1 s of audio took only \(elapsed) s")
        #expect(elapsed < 2.0, "1 s of audio took \(elapsed) s")
        player.shutdown()
        #expect(describeDifference(TestAudio.samples(inRawFile: outputPath), samples) == nil)
    }

    @Test func pacingOffPlaysFasterThanRealTime() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let song = try WAVFile.write(TestAudio.stereoSines(frames: 48_000 * 3), in: folder.path)
        let (player, _) = try Self.makePlayer(folder.path, pacing: .off)
        let began = Date()
        player.play(path: song, from: 0, token: 1)
        #expect(player.waitForEnd(of: 1, timeout: 10) == .finished(1))
        let elapsed = Date().timeIntervalSince(began)
        #expect(elapsed < 1.0, "3 s of audio took \(elapsed) s without pacing")
        player.shutdown()
    }

    @Test func volumeChangeDuringASongRampsWithoutAJump() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        // A constant signal makes every change visible: only the gain can move it.
        let song = try WAVFile.write([Int16](repeating: 16_000, count: 48_000 * 2), in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)
        player.play(path: song, from: 0, token: 1)
        // 0.3 s into the song as heard, not 0.3 s after `play`: a loaded machine (or a sanitizer) may take that
        // long to open the song.
        #expect(player.waitForPosition(0.3, of: 1, timeout: 10))
        player.setVolume(0.5)
        #expect(player.status.volume == 0.5)
        #expect(player.waitForEnd(of: 1, timeout: 10) == .finished(1))
        player.shutdown()
        let played = TestAudio.samples(inRawFile: outputPath)
        let left = stride(from: 0, to: played.count, by: 2).map { played[$0] }
        #expect(left.count == 48_000)
        #expect(left.first == 16_000)
        #expect(left.last == 8_000)
        // The ramp moves the gain by at most 1/960 per frame: 16000/960 ≈ 16.7 per frame.
        let largestStep = zip(left, left.dropFirst()).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(largestStep <= 17, "a jump of \(largestStep) between neighbouring frames")
        let rampFrames = left.filter { $0 < 16_000 && $0 > 8_000 }.count
        #expect(rampFrames >= 470 && rampFrames <= 490, "ramp took \(rampFrames) frames")
        let firstChange = left.firstIndex { $0 != 16_000 } ?? 0
        #expect(firstChange > 48_000 / 5, "volume changed \(firstChange) frames in, before it was set")
    }

    @Test func pauseStopsWritingAndResumeContinuesWhereItLeftOff() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let song = try WAVFile.write(samples, in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)
        player.play(path: song, from: 0, token: 1)
        usleep(300_000)
        player.pause()
        usleep(50_000)
        let pausedStatus = player.status
        #expect(pausedStatus.state == .paused)
        let sizeWhenPaused = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int) ?? -1
        usleep(300_000)
        let sizeLater = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int) ?? -2
        #expect(sizeWhenPaused == sizeLater, "the device was written while paused")
        #expect(player.status.position == pausedStatus.position)
        #expect(abs(pausedStatus.position - 0.3) < 0.1, "paused at \(pausedStatus.position) s")
        player.resume()
        #expect(player.status.state == .playing)
        #expect(player.waitForEnd(of: 1, timeout: 10) == .finished(1))
        player.shutdown()
        // Nothing lost or added; the only change is the fade out to silence before the pause and back in
        // after it (20 ms each): quieter samples in one short stretch, down to zero.
        let played = TestAudio.samples(inRawFile: outputPath)
        #expect(played.count == samples.count)
        let changed = played.indices.filter { played[$0] != samples[$0] }
        let first = try #require(changed.first)
        let last = try #require(changed.last)
        #expect((last - first) / 2 <= 2 * 960 + 240, "the fade took \((last - first) / 2) frames")
        #expect(changed.allSatisfy { abs(Int(played[$0])) <= abs(Int(samples[$0])) })
        #expect(changed.contains { played[$0] == 0 }, "the fade did not reach silence")
        // Within the fade no step between neighbouring frames of a channel exceeds the signal's own steepest
        // (a 1.5 kHz sine at half scale: about 3,217 per frame).
        func steepest(_ values: ArraySlice<Int16>) -> Int {
            zip(values, values.dropFirst(2)).map { abs(Int($0) - Int($1)) }.max() ?? 0
        }
        #expect(steepest(played[first...last]) <= steepest(samples[...]) + 16)
    }

    @Test func stopEndsTheSongWithStoppedAndNothingMoreIsWritten() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let song = try WAVFile.write(TestAudio.stereoSines(frames: 48_000 * 5), in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)
        player.play(path: song, from: 0, token: 1)
        var seen: [PlayerEvent] = []
        #expect(player.waitForEvent(timeout: 5, seen: &seen) { $0 == .started(1) } == .started(1))
        usleep(200_000)
        player.stop()
        #expect(player.waitForEnd(of: 1, timeout: 1) == .stopped(1))
        #expect(player.status.state == .idle)
        usleep(50_000)
        let size = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int) ?? 0
        usleep(200_000)
        let later = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int) ?? 0
        #expect(size == later)
        // About 0.2 s were played (plus at most one buffer ahead), far from the song's 5 s.
        #expect(size < 48_000 * 4 / 2, "\(size) bytes written before stop")
        player.shutdown()
    }

    @Test func playingFromAnOffsetStartsThereAndReportsPositionFromIt() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let song = try WAVFile.write(samples, in: folder.path)
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)
        player.play(path: song, from: 0.5, token: 3)
        usleep(200_000)
        let status = player.status
        #expect(status.token == 3)
        #expect(status.duration.map { abs($0 - 1) < 0.001 } == true)
        #expect(status.position >= 0.6 && status.position < 0.8, "position \(status.position)")
        #expect(player.waitForEnd(of: 3, timeout: 5) == .finished(3))
        player.shutdown()
        #expect(describeDifference(TestAudio.samples(inRawFile: outputPath), Array(samples[48_000...])) == nil)
    }

    @Test func newSongReplacesTheCurrentOneWithoutMixingSamples() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let first = try WAVFile.write([Int16](repeating: 1_000, count: 48_000 * 10), in: folder.path, name: "a.wav")
        let second = try WAVFile.write([Int16](repeating: -2_000, count: 48_000), in: folder.path, name: "b.wav")
        let (player, outputPath) = try Self.makePlayer(folder.path, pacing: .auto)
        player.play(path: first, from: 0, token: 1)
        usleep(200_000)
        player.play(path: second, from: 0, token: 2)
        var seen: [PlayerEvent] = []
        _ = player.waitForEvent(timeout: 5, seen: &seen) { $0 == .finished(2) }
        #expect(seen == [.started(1), .stopped(1), .started(2), .finished(2)])
        player.shutdown()
        let played = TestAudio.samples(inRawFile: outputPath)
        let switchIndex = played.firstIndex(of: -2_000) ?? played.count
        #expect(played[..<switchIndex].allSatisfy { $0 == 1_000 }, "first song's samples are not all 1000")
        #expect(played[switchIndex...].allSatisfy { $0 == -2_000 }, "second song's samples are not all -2000")
        #expect(played.count - switchIndex == 48_000)
        // ≈ 0.2 s of the first song was heard; none of what the decoder had buffered ahead (up to 0.7 s) may follow.
        #expect(switchIndex < 2 * 48_000 * 6 / 10, "\(switchIndex / 2) frames of the first song were written")
    }

    @Test(.enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to make an MP3 fixture"))
    func decoderFallingBehindIsFilledWithSilenceAndCountedAsUnderruns() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let song = folder.file("sine.mp3")
        try TestAudio.ffmpegSine(to: song, seconds: 5, frequency: 1000, sampleRate: 48_000, channels: 2)
        // A device with a clock (so an empty ring is an underrun) that consumes far faster than MP3 decodes:
        // each time the decoder refills the ring, the output has already drained it.
        let output = MemoryPCMOutput(clockless: false)
        let player = Player(output: output, pacing: .off, logger: TestAudio.logger)
        try player.start()
        player.play(path: song, from: 0, token: 1)
        #expect(player.waitForEnd(of: 1, timeout: 20) == .finished(1))
        let underruns = player.status.underruns
        player.shutdown()
        #expect(underruns > 0)
        // Every underrun is exactly one period of silence; the song itself (a sine) never has a silent period.
        #expect(output.silentFrames == underruns * output.periodFrames)
        let songFrames = output.signalFrames + output.otherFrames
        #expect(abs(songFrames - 240_000) < 240_000 / 50, "\(songFrames) song frames written")
    }

    @Test func deviceThatWritesFasterThanRealTimeIsDetectedAndPaced() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let song = try WAVFile.write([Int16](repeating: 3_000, count: 48_000 * 2), in: folder.path)
        // Claims a clock but returns at once, like an unknown plugin chain over `null`: the pacer measures it.
        let output = MemoryPCMOutput(clockless: false)
        let player = Player(output: output, pacing: .auto, logger: TestAudio.logger)
        try player.start()
        let began = Date()
        player.play(path: song, from: 0, token: 1)
        #expect(player.waitForEnd(of: 1, timeout: 10) == .finished(1))
        let elapsed = Date().timeIntervalSince(began)
        player.shutdown()
        #expect(elapsed >= 0.85, "1 s of audio took only \(elapsed) s")
        #expect(output.silentFrames == 0)
        #expect(output.signalFrames == 48_000)
    }
}
