import Atomics
import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxDSP
import RaveboxIPC
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxEngine

/// An engine on a real store, a real shared segment and a real ALSA device (the file plugin), run on its
/// own thread as in the engine process.
final class EngineHarness {
    let folder: TemporaryFolder
    let store: Store
    let segment: SharedSegment
    let output: String
    let engine: Engine
    let stop = ManagedAtomic(false)
    private let finished = ManagedAtomic(false)

    init(
        soundsDirectory: Bool = false, captureDevice: String? = nil,
        lights: LightsConfiguration = LightsConfiguration(),
        onboardLEDRoot: String? = nil, downloadCache: Bool = false
    ) throws {
        folder = try TemporaryFolder("engine")
        store = try Store(path: folder.file("ravebox.sqlite"))
        segment = try SharedSegment.create(name: "/ravebox-enginetest-\(UUID().uuidString.prefix(12))")
        output = folder.file("alsa-out.raw")
        engine = Engine(
            configuration: EngineConfiguration(
                audioDevice: ALSATestDevice.file(at: output),
                soundsDirectory: soundsDirectory ? folder.file("sounds") : nil, captureDevice: captureDevice,
                lights: lights, onboardLEDRoot: onboardLEDRoot ?? folder.file("no-leds"),
                downloadCache: downloadCache ? folder.file("cache") : nil),
            store: store, segment: segment, logger: Logger(label: "test.engine"))
        // Bit-exact checks need the samples untouched; the loudness test turns normalisation back on.
        try store.setSetting("loudnessNormalization", to: SettingValue.bool(false).storedString)
    }

    /// Adds a file to the library (as a scan would have) and returns its song id.
    func addSong(_ path: String, title: String, duration: Double) throws -> Int64 {
        try store.upsert([
            ScannedFile(path: path, size: 1, mtime: 1, title: title, artist: "Test", album: "", duration: duration)
        ])
        return try #require(try store.knownFiles(under: folder.path)[path]?.id)
    }

    func start() {
        let thread = Thread { [engine, stop, finished] in
            try? engine.run(until: stop)
            finished.store(true, ordering: .releasing)
        }
        thread.start()
    }

    func stopAndWait() async {
        stop.store(true, ordering: .releasing)
        while !finished.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// Polls `condition` every 5 ms for at most `seconds`.
    /// RaveboxTestSupport's `eventually`, polling every 5 ms: the engine tests watch short blinks and envelopes.
    func eventually(within seconds: Double, _ condition: () async throws -> Bool) async -> Bool {
        await RaveboxTestSupport.eventually(within: seconds, every: .milliseconds(5)) { try await condition() }
    }

    deinit {
        stop.store(true, ordering: .releasing)
        _ = try? segment.unlink()
        folder.remove()
    }
}

/// Where two byte strings first differ, in words (a failed `==` on megabytes of `Data` would make the
/// test library compute a diff for minutes).
func firstDifference(_ actual: Data, _ expected: Data) -> String? {
    if actual == expected { return nil }
    let index = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    return
        "\(actual.count) bytes, expected \(expected.count); first difference at byte \(index.map(String.init) ?? "none")"
}

@Suite struct EngineTests {
    @Test func playsAQueuedSongBitExactThroughALSAAndSkipsACorruptOneWithinASecond() async throws {
        let harness = try EngineHarness()
        let corrupt = harness.folder.file("broken.mp3")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: corrupt))
        let good = harness.folder.file("tone.wav")
        let pcm = try WAVFile.write(WAVFile.sine(frequency: 1000, seconds: 0.5), to: good)
        let corruptID = try harness.addSong(corrupt, title: "Broken", duration: 3)
        let goodID = try harness.addSong(good, title: "Tone", duration: 0.5)
        _ = try harness.store.enqueue(songID: corruptID, requestedBy: nil)
        _ = try harness.store.enqueue(songID: goodID, requestedBy: nil)

        harness.start()
        let done = await harness.eventually(within: 10) {
            (try? harness.store.playLog().map(\.outcome)) == [.failed, .finished]
        }
        await harness.stopAndWait()
        let log = try harness.store.playLog()
        #expect(done, "play log so far: \(log)")

        // The corrupt file was skipped with a reason, fast, and the good one played after it.
        #expect(log.map(\.outcome) == [.failed, .finished])
        #expect(log.map(\.songID) == [corruptID, goodID])
        #expect(log.first?.reason?.isEmpty == false)
        // Measured by the engine's own records: from taking the song to recording it as failed.
        #expect(try #require(log.first?.seconds) < 1)

        // The good one played bit-exact at volume 1.0: ALSA's file holds exactly the decoded samples.
        let written = try Data(contentsOf: URL(fileURLWithPath: harness.output))
        #expect(written.count == pcm.count)
        #expect(firstDifference(written, pcm) == nil)
        #expect(try harness.store.currentSong() == nil)
        #expect(try await harness.store.queue().isEmpty)
    }

    @Test func obeysPauseResumeVolumeAndSkipFromTheCommandRing() async throws {
        let harness = try EngineHarness()
        let song = harness.folder.file("long.wav")
        try WAVFile.write(WAVFile.sine(frequency: 440, seconds: 10), to: song)
        let id = try harness.addSong(song, title: "Long", duration: 10)
        _ = try harness.store.enqueue(songID: id, requestedBy: nil)
        harness.start()
        #expect(await harness.eventually(within: 3) { harness.segment.telemetry.read().state == .playing })
        #expect(harness.segment.telemetry.read().songID == id)

        try harness.segment.commands.push(Command(kind: .pause))
        #expect(await harness.eventually(within: 1) { harness.segment.telemetry.read().state == .paused })
        #expect(try harness.store.playerSettings().paused)
        let pausedAt = harness.segment.telemetry.read().position
        try await Task.sleep(for: .milliseconds(300))
        #expect(abs(harness.segment.telemetry.read().position - pausedAt) < 0.05)

        try harness.segment.commands.push(Command(kind: .play))
        try harness.segment.commands.push(Command(kind: .setVolume, value: 0.3))
        #expect(
            await harness.eventually(within: 1) {
                let telemetry = harness.segment.telemetry.read()
                return telemetry.state == .playing && telemetry.volume == 0.3
            })
        #expect(try harness.store.playerSettings() == PlayerSettings(paused: false, volume: 0.3))

        try harness.segment.commands.push(Command(kind: .skip))
        #expect(await harness.eventually(within: 1) { try harness.store.playLog().map(\.outcome) == [.skipped] })
        #expect(await harness.eventually(within: 1) { harness.segment.telemetry.read().state == .idle })
        await harness.stopAndWait()
    }

    @Test func seekMovesThePositionWithoutEndingThePlay() async throws {
        let harness = try EngineHarness()
        let song = harness.folder.file("seek.wav")
        try WAVFile.write(WAVFile.sine(frequency: 500, seconds: 10), to: song)
        let id = try harness.addSong(song, title: "Seek", duration: 10)
        _ = try harness.store.enqueue(songID: id, requestedBy: nil)
        harness.start()
        #expect(await harness.eventually(within: 3) { harness.segment.telemetry.read().state == .playing })
        try harness.segment.commands.push(Command(kind: .seek, value: 6))
        #expect(await harness.eventually(within: 2) { harness.segment.telemetry.read().position >= 6 })
        #expect(harness.segment.telemetry.read().state == .playing)
        #expect(try harness.store.playLog().map(\.outcome) == [.playing])
        #expect(try harness.store.currentSong()?.songID == id)
        await harness.stopAndWait()
    }

    @Test func restartedEngineResumesTheCurrentSongAtItsSavedPosition() async throws {
        let harness = try EngineHarness()
        let song = harness.folder.file("resume.wav")
        let pcm = try WAVFile.write(WAVFile.sine(frequency: 1000, seconds: 1), to: song)
        let id = try harness.addSong(song, title: "Resume", duration: 1)
        _ = try harness.store.enqueue(songID: id, requestedBy: nil)
        // A previous engine had started it and saved the position at 0.5 s before it died.
        let current = try #require(try harness.store.startNextSong())
        try harness.store.savePosition(playID: current.playID, seconds: 0.5)

        harness.start()
        #expect(await harness.eventually(within: 5) { try harness.store.playLog().map(\.outcome) == [.finished] })
        await harness.stopAndWait()
        let written = try Data(contentsOf: URL(fileURLWithPath: harness.output))
        // 48 kHz stereo s16: 0.5 s = 24 000 frames = 96 000 bytes; it resumed exactly there.
        #expect(firstDifference(written, pcm.suffix(from: pcm.startIndex + 96_000)) == nil)
    }

    @Test func positionIsPersistedWhilePlaying() async throws {
        let harness = try EngineHarness()
        let song = harness.folder.file("steady.wav")
        try WAVFile.write(WAVFile.sine(frequency: 300, seconds: 5), to: song)
        let id = try harness.addSong(song, title: "Steady", duration: 5)
        _ = try harness.store.enqueue(songID: id, requestedBy: nil)
        harness.start()
        #expect(await harness.eventually(within: 4) { (try harness.store.currentSong()?.position ?? 0) >= 1 })
        await harness.stopAndWait()
        let saved = try #require(try harness.store.currentSong()?.position)
        #expect(saved >= 1 && saved < 5)
    }
}

@Suite struct EngineGaplessTests {
    /// The engine hands the player the next queued song while the current one plays: two songs cut from
    /// one signal reach the device as that signal, with no sample inserted between them; both plays are
    /// recorded as finished and the queue is empty.
    @Test func queuedSongsFollowEachOtherWithoutAGap() async throws {
        let harness = try EngineHarness()
        let signal = WAVFile.sine(frequency: 441, seconds: 2.5)
        let cut = (48_000 + 4_321) * 2
        let first = harness.folder.file("first.wav")
        let second = harness.folder.file("second.wav")
        try WAVFile.write(Array(signal[..<cut]), to: first)
        try WAVFile.write(Array(signal[cut...]), to: second)
        let firstID = try harness.addSong(first, title: "First", duration: 1.09)
        let secondID = try harness.addSong(second, title: "Second", duration: 1.41)
        _ = try harness.store.enqueue(songID: firstID, requestedBy: nil)
        _ = try harness.store.enqueue(songID: secondID, requestedBy: nil)
        harness.start()
        #expect(
            await harness.eventually(within: 6) {
                try harness.store.playLog().map(\.outcome) == [.finished, .finished]
            })
        await harness.stopAndWait()
        #expect(try harness.store.playLog().map(\.songID) == [firstID, secondID])
        #expect(try await harness.store.queue().isEmpty)
        let written = try Data(contentsOf: URL(fileURLWithPath: harness.output))
        #expect(firstDifference(written, WAVFile.pcmBytes(signal)) == nil)
    }

    /// A queued song that cannot be opened is recorded as failed when its turn comes near, and the
    /// current song plays to its end; the song after it still plays.
    @Test func aBrokenNextSongIsSkippedWithoutTouchingTheCurrentOne() async throws {
        let harness = try EngineHarness()
        let tone = harness.folder.file("tone.wav")
        let pcm = try WAVFile.write(WAVFile.sine(frequency: 600, seconds: 1), to: tone)
        let broken = harness.folder.file("broken.flac")
        try Data(repeating: 0x5a, count: 2048).write(to: URL(fileURLWithPath: broken))
        let toneID = try harness.addSong(tone, title: "Tone", duration: 1)
        let brokenID = try harness.addSong(broken, title: "Broken", duration: 3)
        _ = try harness.store.enqueue(songID: toneID, requestedBy: nil)
        _ = try harness.store.enqueue(songID: brokenID, requestedBy: nil)
        _ = try harness.store.enqueue(songID: toneID, requestedBy: nil)
        harness.start()
        #expect(
            await harness.eventually(within: 6) {
                try harness.store.playLog().filter { $0.outcome == .finished }.count == 2
            })
        await harness.stopAndWait()
        let log = try harness.store.playLog()
        #expect(log.map(\.songID) == [toneID, brokenID, toneID])
        #expect(log.map(\.outcome) == [.finished, .failed, .finished])
        #expect(log[1].reason?.isEmpty == false)
        let written = try Data(contentsOf: URL(fileURLWithPath: harness.output))
        #expect(firstDifference(written, pcm + pcm) == nil)
    }
}

@Suite struct EngineLoudnessTests {
    /// 4 s of stereo pink noise brought to `lufs` (measured with the same meter, then scaled).
    static func pinkNoise(lufs: Double, in folder: TemporaryFolder, name: String) throws -> [Int16] {
        let raw = folder.file("\(name).s16")
        let made = try ProcessRunner.run(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.1:duration=4:sample_rate=48000:seed=3",
                "-ac", "2", "-f", "s16le", "-c:a", "pcm_s16le", raw,
            ])
        try #require(made.status == 0, "ffmpeg: \(made.standardError)")
        let pcm = try Data(contentsOf: URL(fileURLWithPath: raw))
        let samples = stride(from: pcm.startIndex, to: pcm.endIndex - 1, by: 2).map { index in
            Int16(bitPattern: UInt16(pcm[index]) | UInt16(pcm[index + 1]) << 8)
        }
        let unscaled = folder.file("\(name)-unscaled.wav")
        try WAVFile.write(samples, to: unscaled)
        let gain = pow(10, (lufs - (try LoudnessMeter.measure(path: unscaled)).integrated) / 20)
        return samples.map { Int16(max(-32_768, min(32_767, (Double($0) * gain).rounded()))) }
    }

    /// A quiet and a loud song, measured in the background while the box is paused, both come out
    /// within 1 LU of the −18 LUFS target.
    @Test func quietAndLoudSongsComeOutAtTheTarget() async throws {
        let harness = try EngineHarness()
        let quiet = try Self.pinkNoise(lufs: -30, in: harness.folder, name: "quiet")
        let loud = try Self.pinkNoise(lufs: -10, in: harness.folder, name: "loud")
        try WAVFile.write(quiet, to: harness.folder.file("quiet.wav"))
        try WAVFile.write(loud, to: harness.folder.file("loud.wav"))
        let quietID = try harness.addSong(harness.folder.file("quiet.wav"), title: "Quiet", duration: 4)
        let loudID = try harness.addSong(harness.folder.file("loud.wav"), title: "Loud", duration: 4)
        _ = try harness.store.enqueue(songID: quietID, requestedBy: nil)
        _ = try harness.store.enqueue(songID: loudID, requestedBy: nil)
        try harness.store.savePlayerSettings(PlayerSettings(paused: true, volume: 1))
        _ = try await harness.store.updateSettings(["loudnessNormalization": .bool(true)])
        harness.start()
        #expect(
            await harness.eventually(within: 10) {
                try harness.store.loudness(songID: quietID) != nil && harness.store.loudness(songID: loudID) != nil
            })
        try harness.segment.commands.push(Command(kind: .play))
        #expect(
            await harness.eventually(within: 15) {
                try harness.store.playLog().map(\.outcome) == [.finished, .finished]
            })
        await harness.stopAndWait()
        let written = try Data(contentsOf: URL(fileURLWithPath: harness.output))
        #expect(written.count == (quiet.count + loud.count) * 2)
        for (name, range) in [("quiet", 0..<quiet.count * 2), ("loud", quiet.count * 2..<written.count)] {
            let path = harness.folder.file("\(name)-played.wav")
            try WAVFile.bytes([]).prefix(44).write(to: URL(fileURLWithPath: path))
            let pcm = written.subdata(in: range)
            var header = WAVFile.bytes([])
            header.replaceSubrange(4..<8, with: withUnsafeBytes(of: UInt32(36 + pcm.count).littleEndian) { Data($0) })
            header.replaceSubrange(40..<44, with: withUnsafeBytes(of: UInt32(pcm.count).littleEndian) { Data($0) })
            try (header + pcm).write(to: URL(fileURLWithPath: path))
            let played = try LoudnessMeter.measure(path: path)
            #expect(abs(played.integrated - -18) <= 1, "\(name) came out at \(played.integrated) LUFS")
        }
    }
}

@Suite struct EngineAlarmTests {
    /// The alarm interrupts the song, plays whole, and the song goes on where it was: one play in the log,
    /// the alarm's samples in one piece on the device, the song's samples after it continuing within
    /// 50 ms of where they stopped.
    @Test func alarmPlaysOverTheSongWhichThenResumesWhereItWas() async throws {
        let harness = try EngineHarness(soundsDirectory: true)
        let song = harness.folder.file("song.wav")
        // Noise, so every stretch of the song is unique and the resume point can be found in it.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = (0..<(3 * 48_000 * 2)).map { _ -> Int16 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int16(truncatingIfNeeded: state >> 48) / 4
        }
        let pcm = try WAVFile.write(noise, to: song)
        let id = try harness.addSong(song, title: "Song", duration: 3)
        _ = try harness.store.enqueue(songID: id, requestedBy: nil)
        _ = try await harness.store.updateSettings(["buzzerCooldown": .double(0)])
        harness.start()
        #expect(await harness.eventually(within: 3) { harness.segment.telemetry.read().position >= 0.5 })
        try harness.segment.commands.push(Command(kind: .alarm))
        #expect(await harness.eventually(within: 1) { harness.segment.telemetry.read().state == .alarm })
        let interruptedAt = harness.segment.telemetry.read().position
        #expect(harness.segment.telemetry.read().songID == id)
        // A second alarm while one sounds is refused.
        try harness.segment.commands.push(Command(kind: .alarm))
        #expect(await harness.eventually(within: 6) { harness.segment.telemetry.read().state == .playing })
        #expect(abs(harness.segment.telemetry.read().position - interruptedAt) < 0.3)
        #expect(await harness.eventually(within: 5) { try harness.store.playLog().map(\.outcome) == [.finished] })
        await harness.stopAndWait()

        let alarm = try Data(contentsOf: URL(fileURLWithPath: harness.folder.file("sounds/alarm.wav"))).dropFirst(44)
        let written = try Data(contentsOf: URL(fileURLWithPath: harness.output))
        let start = try #require(written.firstRange(of: alarm.prefix(4_800))?.lowerBound, "the alarm's start")
        #expect(written[start..<(start + alarm.count)] == alarm, "the alarm plays whole, once")
        // Before the alarm: the song from its start. After: the song again, from close to where it stopped.
        #expect(written[written.startIndex..<start] == pcm.prefix(start - written.startIndex))
        let after = written[(start + alarm.count)...]
        let resumedAt = try #require(pcm.firstRange(of: after.prefix(960))?.lowerBound)
        let stoppedAt = start - written.startIndex
        #expect(
            abs(resumedAt - stoppedAt) <= 48_000 / 20 * 4,
            "resumed \(resumedAt) bytes into the song, stopped at \(stoppedAt)")
        #expect(after.elementsEqual(pcm[resumedAt...]))
    }
}

@Suite struct EngineCaptureTests {
    /// In capture mode the analysis hears the line-in, not the music played: with nothing playing, a
    /// 1 kHz tone on the capture device lights the band holding 1 kHz in the telemetry.
    @Test func captureModeFeedsTheAnalysisFromTheCaptureDevice() async throws {
        let folder = try TemporaryFolder("capture-in")
        defer { folder.remove() }
        let input = folder.file("line-in.raw")
        try WAVFile.pcmBytes(WAVFile.sine(frequency: 1_000, seconds: 2)).write(to: URL(fileURLWithPath: input))
        let harness = try EngineHarness(captureDevice: "rbtestmic:INFILE=\(input)")
        harness.start()
        var configuration = AnalyzerConfiguration()
        configuration.bandCount = 64
        let layout = try AudioAnalyzer(configuration: configuration).bandFrequencies
        let expected = try #require(layout.firstIndex { $0.contains(1_000) })
        var loudest = -1
        #expect(
            await harness.eventually(within: 3) {
                let telemetry = harness.segment.telemetry.read()
                let bands = telemetry.bands.prefix(telemetry.bandCount)
                loudest = bands.indices.max { bands[$0] < bands[$1] } ?? -1
                // Wait for the tone's band, not for any loud band: the first hops of a slow start (under
                // ThreadSanitizer, about 10 times slower) can still hold the onset's broadband click.
                return telemetry.state == .idle && (bands.max() ?? 0) > 0.5 && abs(loudest - expected) <= 1
            })
        await harness.stopAndWait()
        #expect(abs(loudest - expected) <= 1, "loudest band \(loudest), 1 kHz is in band \(expected)")
    }
}

@Suite struct EngineAnalysisTests {
    /// What plays is analysed as it is heard: a 1 kHz tone lights the band holding 1 kHz in the telemetry
    /// the web's spectrum strip reads, and after the song the bands fall back to silence.
    @Test func telemetryBandsFollowWhatPlays() async throws {
        let harness = try EngineHarness()
        let song = harness.folder.file("tone.wav")
        try WAVFile.write(WAVFile.sine(frequency: 1_000, seconds: 1.5), to: song)
        let id = try harness.addSong(song, title: "Tone", duration: 1.5)
        _ = try harness.store.enqueue(songID: id, requestedBy: nil)
        harness.start()
        var loudest = -1
        #expect(
            await harness.eventually(within: 3) {
                let telemetry = harness.segment.telemetry.read()
                guard telemetry.state == .playing, telemetry.position > 0.5, telemetry.bandCount == 64 else {
                    return false
                }
                let bands = telemetry.bands.prefix(telemetry.bandCount)
                loudest = bands.indices.max { bands[$0] < bands[$1] } ?? -1
                return (bands.max() ?? 0) > 0.5
            })
        // The engine's layout: 64 bands from 40 Hz to 16 kHz, the lowest widened to a minimum width.
        var configuration = AnalyzerConfiguration()
        configuration.bandCount = 64
        let layout = try AudioAnalyzer(configuration: configuration).bandFrequencies
        let expected = try #require(layout.firstIndex { $0.contains(1_000) })
        #expect(abs(loudest - expected) <= 1, "loudest band \(loudest), 1 kHz is in band \(expected)")
        #expect(
            await harness.eventually(within: 5) {
                let telemetry = harness.segment.telemetry.read()
                return telemetry.state == .idle && telemetry.bands.prefix(telemetry.bandCount).allSatisfy { $0 < 0.05 }
            })
        await harness.stopAndWait()
    }
}
