import Foundation
import RaveboxButtons
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxEngine

/// What the box's buttons do once decoded: each action reaches the running engine's control loop.
@Suite(.serialized) struct EngineButtonsTests {
    @Test func buttonActionsPlayPauseVoteTurnTheVolumeAndAskForTheJoinCode() async throws {
        let harness = try EngineHarness(soundsDirectory: true)
        let song = harness.folder.file("song.wav")
        try WAVFile.write(WAVFile.sine(frequency: 440, seconds: 4), to: song)
        _ = try harness.store.enqueue(songID: try harness.addSong(song, title: "Song", duration: 4), requestedBy: nil)
        _ = try await harness.store.updateSettings(["buzzerCooldown": .double(0)])
        harness.start()
        #expect(await harness.eventually(within: 3) { harness.segment.telemetry.read().state == .playing })

        harness.engine.perform(.playPause)
        #expect(await harness.eventually(within: 1) { harness.segment.telemetry.read().state == .paused })
        harness.engine.perform(.playPause)
        #expect(await harness.eventually(within: 1) { harness.segment.telemetry.read().state == .playing })

        harness.engine.perform(.volume(steps: -4))
        #expect(await harness.eventually(within: 1) { abs(harness.segment.telemetry.read().volume - 0.8) < 1e-9 })

        harness.engine.perform(.voteUp)
        #expect(
            await harness.eventually(within: 1) {
                try harness.store.currentSong()?.votes == 1
            })

        #expect(harness.engine.showJoinUntil.load(ordering: .relaxed) == 0)
        harness.engine.perform(.showJoinQR(seconds: 30))
        let asked = SharedSegment.monotonicNanos()
        #expect(
            await harness.eventually(within: 1) {
                harness.engine.showJoinUntil.load(ordering: .relaxed) > asked + 29_000_000_000
            })

        harness.engine.perform(.alarm)
        #expect(await harness.eventually(within: 1) { harness.segment.telemetry.read().state == .alarm })

        // In desktop mode the power button only says so: the engine keeps running.
        harness.engine.perform(.shutdown)
        harness.engine.perform(.skip)
        #expect(await harness.eventually(within: 8) { try harness.store.currentSong() == nil })
        await harness.stopAndWait()
    }

    @Test func voteUpButtonAppliesThePartysKickRule() async throws {
        let harness = try EngineHarness()
        let song = harness.folder.file("song.wav")
        try WAVFile.write(WAVFile.sine(frequency: 440, seconds: 20), to: song)
        _ = try harness.store.enqueue(songID: try harness.addSong(song, title: "Song", duration: 20), requestedBy: nil)
        harness.start()
        #expect(await harness.eventually(within: 3) { harness.segment.telemetry.read().state == .playing })
        // Three downvotes while the threshold was higher (more guests then); it is back at the default 2 now.
        let entryID = try #require(try harness.store.currentSong()?.entryID)
        for voter in ["a", "b", "c"] {
            _ = try await harness.store.vote(
                entryID: entryID, voter: voter, vote: .down, kickThreshold: KickThreshold(votes: 5))
        }
        harness.engine.perform(.voteUp)
        #expect(await harness.eventually(within: 3) { try harness.store.playLog().last?.outcome == .skipped })
        #expect(try harness.store.currentSong() == nil)
        await harness.stopAndWait()
    }

    @Test func theButtonsMappingComesFromRaveboxYAML() throws {
        #expect(try ButtonMapping.resolve(.off) == nil)
        #expect(try ButtonMapping.resolve(.on) == .default)
        let yaml = """
            chip: /dev/gpiochip4
            lines: {play_pause: 20, skip: 21}
            bindings:
              press play_pause: play_pause
              long skip: shutdown
            """
        let mapping = try #require(try ButtonMapping.resolve(.mapping(yaml)))
        #expect(mapping.chip == "/dev/gpiochip4")
        #expect(mapping.lines[.playPause] == 20 && mapping.lines[.skip] == 21)
        #expect(throws: (any Error).self) { try ButtonMapping.resolve(.mapping("lines: {play_pause: 20, skip: 20}")) }
    }

    @Test func ravebox_yamlTakesButtonsOnOffOrAMapping() throws {
        func resolve(_ yaml: String) throws -> BoxConfiguration {
            try BoxConfiguration.resolve(flags: .init(), environment: [:], readFile: { _ in yaml })
        }
        #expect(try resolve("port: 8080").buttons == .off)
        #expect(BoxConfiguration.defaults(for: .box).buttons == .on)
        #expect(try resolve("buttons: on").buttons == .on)
        guard case .mapping(let text) = try resolve("buttons:\n  chip: /dev/gpiochip4\n").buttons else {
            Issue.record("a mapping was not kept")
            return
        }
        #expect(text.contains("/dev/gpiochip4"))
        #expect(throws: ConfigurationError.self) { try resolve("buttons: sometimes") }
    }
}
