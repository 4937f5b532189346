import Foundation
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxStore

/// The engine and web processes each open their own `DatabasePool` on one file; these tests use the
/// real `ravebox` binary as the second process.
@Suite struct CrossProcessStoreTests {
    struct StateOutput: Decodable {
        var queue: [QueueEntry]
    }

    @Test func anotherProcessSeesOurCommitsAndWeSeeTheirs() async throws {
        let folder = try TemporaryFolder("xproc")
        defer { folder.remove() }
        let data = folder.file("data")
        let music = folder.file("music")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: music, withIntermediateDirectories: true)
        let store = try Store(path: data + "/ravebox.sqlite")
        let binary = try TestBinary.ravebox

        // Their write, our read: `ravebox scan` adds a song through its own pool while ours is open.
        try WAVFile.write(WAVFile.sine(frequency: 440, seconds: 0.2), to: music + "/tone.wav")
        let scan = try ProcessRunner.run(binary, ["scan", "--data", data, "--library", music])
        #expect(scan.status == 0, "\(scan.standardError)")
        let songs = try await store.searchSongs("", limit: 10)
        #expect(songs.map(\.title) == ["tone"])

        // Our write, their read: we enqueue, `ravebox state` reads the queue through its own pool.
        let songID = try #require(songs.first?.id)
        _ = try store.enqueue(songID: songID, requestedBy: "guest")
        let state = try ProcessRunner.run(binary, ["state", "--data", data])
        #expect(state.status == 0, "\(state.standardError)")
        let decoded = try JSONDecoder().decode(StateOutput.self, from: Data(state.standardOutput.utf8))
        #expect(decoded.queue.map(\.songID) == [songID])
    }
}
