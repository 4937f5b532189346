import Foundation
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxEngine

/// The engine takes the next song by the party's rules (votes, modes), not just by position.
@Suite struct EngineQueueRulesTests {
    func tone(_ harness: EngineHarness, _ name: String, seconds: Double) throws -> Int64 {
        let path = harness.folder.file("\(name).wav")
        try WAVFile.write(WAVFile.sine(frequency: 330, seconds: seconds), to: path)
        return try harness.addSong(path, title: name, duration: seconds)
    }

    /// The second song has one vote more: it plays first where votes order the queue, else position wins.
    @Test(arguments: [
        (Interactivity.upAndDown, true), (.upvotesOnly, true), (.fullControl, false), (.noControl, false),
    ])
    func nextSongFollowsVotesOrPositionByLevel(level: Interactivity, votesWin: Bool) async throws {
        let harness = try EngineHarness()
        _ = try await harness.store.updateSettings(["interactivity": .string(level.rawValue)])
        let first = try tone(harness, "first", seconds: 5)
        let liked = try tone(harness, "liked", seconds: 5)
        _ = try harness.store.enqueue(songID: first, requestedBy: nil)
        let entry = try harness.store.enqueue(songID: liked, requestedBy: nil)
        _ = try await harness.store.vote(
            entryID: entry.id, voter: "session:x", vote: .up, kickThreshold: KickThreshold(votes: 2))
        harness.start()
        let expected = votesWin ? liked : first
        #expect(await harness.eventually(within: 3) { try harness.store.currentSong()?.songID == expected })
        await harness.stopAndWait()
    }

    @Test func repeatPutsAFinishedSongBackAtTheEndWithNoVotes() async throws {
        let harness = try EngineHarness()
        try harness.store.savePlaybackModes(PlaybackModes(repeat: true))
        let short = try tone(harness, "short", seconds: 0.3)
        let long = try tone(harness, "long", seconds: 5)
        _ = try harness.store.enqueue(songID: short, requestedBy: nil, voter: "session:a")
        _ = try harness.store.enqueue(songID: long, requestedBy: nil, voter: "session:a")
        harness.start()
        #expect(
            await harness.eventually(within: 4) {
                try harness.store.currentSong()?.songID == long && harness.store.queue().map(\.songID) == [short]
            })
        #expect(try await harness.store.queue().first?.votes == 0)
        await harness.stopAndWait()
    }

    @Test func autoplayChoosesALibrarySongWhenTheQueueRunsEmpty() async throws {
        let harness = try EngineHarness()
        try harness.store.savePlaybackModes(PlaybackModes(autoplay: true))
        let song = try tone(harness, "only", seconds: 5)
        harness.start()
        #expect(await harness.eventually(within: 4) { try harness.store.currentSong()?.songID == song })
        await harness.stopAndWait()
    }

    @Test func skipNamingAnotherPlayDoesNotSkipTheCurrentOne() async throws {
        let harness = try EngineHarness()
        let song = try tone(harness, "steady", seconds: 5)
        _ = try harness.store.enqueue(songID: song, requestedBy: nil)
        harness.start()
        #expect(await harness.eventually(within: 3) { harness.segment.telemetry.read().state == .playing })
        let playID = try #require(try harness.store.currentSong()).playID
        try harness.segment.commands.push(Command(kind: .skip, value: Double(playID + 100)))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try harness.store.currentSong()?.playID == playID)
        try harness.segment.commands.push(Command(kind: .skip, value: Double(playID)))
        #expect(await harness.eventually(within: 2) { try harness.store.playLog().map(\.outcome) == [.skipped] })
        await harness.stopAndWait()
    }
}
