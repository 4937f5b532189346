import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxEngine

@Suite struct EngineDownloadCacheTests {
    /// The cache evicts the least recently played songs first and reads "last played" from the file's
    /// modification time: the engine sets it when a downloaded song starts, and leaves library files alone.
    @Test func aDownloadedSongThatStartsIsMarkedAsPlayedNow() async throws {
        let harness = try EngineHarness(downloadCache: true)
        try FileManager.default.createDirectory(atPath: harness.folder.file("cache"), withIntermediateDirectories: true)
        let cached = harness.folder.file("cache/abc.wav")
        let library = harness.folder.file("library.wav")
        let old = Date(timeIntervalSinceNow: -86_400 * 30)
        for path in [cached, library] {
            try WAVFile.write(WAVFile.sine(frequency: 440, seconds: 0.2), to: path)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        }
        _ = try harness.store.enqueue(
            songID: try harness.addSong(cached, title: "Downloaded", duration: 0.2), requestedBy: nil)
        _ = try harness.store.enqueue(
            songID: try harness.addSong(library, title: "Library", duration: 0.2), requestedBy: nil)
        harness.start()
        func modified(_ path: String) -> Date {
            (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        }
        #expect(await harness.eventually(within: 3) { modified(cached) > Date(timeIntervalSinceNow: -60) })
        #expect(await harness.eventually(within: 3) { try harness.store.queue().isEmpty })
        #expect(modified(library) < Date(timeIntervalSinceNow: -86_400))
        await harness.stopAndWait()
    }
}
