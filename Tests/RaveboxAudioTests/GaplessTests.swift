import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio

/// Songs queued with `playNext` follow each other without a single inserted or lost sample.
@Suite("Gapless playback")
struct GaplessTests {
    /// One signal cut into pieces at arbitrary frames (not period multiples), played as a chain: the
    /// device receives the signal again, bit for bit. Each piece is longer than the decoder's lead (the
    /// ring, 0.5 s), as the engine queues the next song when the current one starts.
    @Test func tracksCutFromOneSignalPlayBackWithNoInsertedSamples() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let signal = TestAudio.stereoSines(frames: 3 * 48_000 + 12_345)
        let cuts = [0, 48_000 + 11, 2 * 48_000 + 7_777, 3 * 48_000 + 12_345].map { $0 * 2 }
        let songs = try (0..<3).map { index in
            try WAVFile.write(Array(signal[cuts[index]..<cuts[index + 1]]), in: folder.path, name: "part\(index).wav")
        }
        let (player, outputPath) = try PlayerTests.makePlayer(folder.path, pacing: .auto)
        player.play(path: songs[0], from: 0, token: 1)
        #expect(player.playNext(path: songs[1], token: 2))
        var seen: [PlayerEvent] = []
        // The second song starts when the first is heard to end; then the third is queued.
        _ = player.waitForEvent(timeout: 10, seen: &seen) { $0 == .started(2) }
        #expect(player.playNext(path: songs[2], token: 3))
        _ = player.waitForEvent(timeout: 10, seen: &seen) { $0 == .finished(3) }
        player.shutdown()
        #expect(
            seen == [.started(1), .finished(1), .started(2), .finished(2), .started(3), .finished(3)],
            "events: \(seen)")
        #expect(describeDifference(TestAudio.samples(inRawFile: outputPath), signal) == nil)
    }

    /// The song queued next can still be replaced; stopping forgets it; a next song that cannot be
    /// opened fails on its own and the current one plays to its end.
    @Test func nextSongCanBeReplacedAndAFailingOneDoesNotTouchTheCurrent() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let first = TestAudio.stereoSines(frames: 24_000)
        let second = [Int16](repeating: 1_000, count: 48_000)
        let songA = try WAVFile.write(first, in: folder.path, name: "a.wav")
        let songB = try WAVFile.write(second, in: folder.path, name: "b.wav")
        let (player, outputPath) = try PlayerTests.makePlayer(folder.path, pacing: .auto)
        player.play(path: songA, from: 0, token: 1)
        #expect(player.playNext(path: songA, token: 99))
        #expect(player.playNext(path: songB, token: 2))  // replaces 99
        var seen: [PlayerEvent] = []
        _ = player.waitForEvent(timeout: 10, seen: &seen) { $0 == .finished(2) }
        #expect(seen == [.started(1), .finished(1), .started(2), .finished(2)], "events: \(seen)")

        player.play(path: songA, from: 0, token: 3)
        #expect(player.playNext(path: folder.file("missing.flac"), token: 4))
        seen = []
        _ = player.waitForEvent(timeout: 10, seen: &seen) { $0 == .finished(3) }
        #expect(seen.contains(.started(3)))
        #expect(seen.contains { if case .failed(4, _) = $0 { true } else { false } }, "events: \(seen)")
        #expect(player.status.state == .idle)

        player.play(path: songA, from: 0, token: 5)
        #expect(player.playNext(path: songB, token: 6))
        player.stop()
        seen = []
        _ = player.waitForEvent(timeout: 1, seen: &seen) { $0 == .started(6) }
        #expect(seen == [.stopped(5)] || seen == [.started(5), .stopped(5)], "events: \(seen)")
        #expect(!player.playNext(path: songB, token: 7), "nothing plays, so there is nothing to follow")
        // Too late: the decoder already finished the song (shorter than its lead) and closed the chain. Waiting for
        // 0.3 s of its 0.5 s to be heard, not only for its first frame, leaves a decoder slowed by a loaded machine
        // (or a sanitizer) the time to reach the end of the file.
        player.play(path: songA, from: 0, token: 8)
        #expect(player.waitForPosition(0.3, of: 8, timeout: 5))
        #expect(!player.playNext(path: songB, token: 9))
        #expect(player.waitForEnd(of: 8, timeout: 5) == .finished(8))
        player.shutdown()
        let played = TestAudio.samples(inRawFile: outputPath)
        #expect(describeDifference(Array(played.prefix(first.count + second.count)), first + second) == nil)
    }

    /// The position restarts at 0 for the song that follows, and counts its own frames.
    @Test func positionBelongsToTheSongBeingHeard() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let songA = try WAVFile.write(TestAudio.stereoSines(frames: 24_000), in: folder.path, name: "a.wav")
        let songB = try WAVFile.write(TestAudio.stereoSines(frames: 96_000), in: folder.path, name: "b.wav")
        let (player, _) = try PlayerTests.makePlayer(folder.path, pacing: .auto)
        player.play(path: songA, from: 0, token: 1)
        player.playNext(path: songB, token: 2)
        var seen: [PlayerEvent] = []
        _ = player.waitForEvent(timeout: 10, seen: &seen) { $0 == .started(2) }
        usleep(300_000)
        let status = player.status
        #expect(status.token == 2)
        #expect(abs(status.position - 0.3) < 0.1, "position \(status.position)")
        #expect(abs((status.duration ?? 0) - 2) < 0.01)
        player.shutdown()
    }
}

@Suite("Crossfade")
struct CrossfadeTests {
    /// With a crossfade the second song fades in over the first one's last 0.25 s: the device gets the
    /// first song's frames, then the mix, then the second song's frames, nothing else.
    @Test func nextSongFadesInOverTheEndOfTheCurrentOne() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let songA = try WAVFile.write([Int16](repeating: 8_000, count: 48_000 * 2), in: folder.path, name: "a.wav")
        let songB = try WAVFile.write([Int16](repeating: -8_000, count: 48_000 * 2), in: folder.path, name: "b.wav")
        let (player, outputPath) = try PlayerTests.makePlayer(folder.path, pacing: .auto)
        player.setCrossfade(seconds: 0.25)
        player.play(path: songA, from: 0, token: 1)
        #expect(player.playNext(path: songB, token: 2))
        var seen: [PlayerEvent] = []
        _ = player.waitForEvent(timeout: 10, seen: &seen) { $0 == .finished(2) }
        player.shutdown()
        #expect(seen == [.started(1), .finished(1), .started(2), .finished(2)], "events: \(seen)")
        let played = TestAudio.samples(inRawFile: outputPath)
        let left = stride(from: 0, to: played.count, by: 2).map { played[$0] }
        let fade = 12_000
        #expect(left.count == 2 * 48_000 - fade)
        #expect(left[..<(48_000 - fade)].allSatisfy { $0 == 8_000 })
        #expect(left[48_000...].allSatisfy { $0 == -8_000 })
        // In the fade the level moves steadily from the first song to the second.
        let mix = Array(left[(48_000 - fade)..<48_000])
        #expect(zip(mix, mix.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(mix.first.map { $0 > 7_900 } == true && mix.last.map { $0 < -7_900 } == true)
    }
}
