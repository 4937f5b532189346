import Foundation
import GRDB
import RaveboxCore
import Testing

@testable import RaveboxStore

@Suite struct ScanProgressStoreTests {
    @Test func noScanYetReadsAsIdle() async throws {
        let temporary = try TemporaryStore()
        #expect(try await temporary.store.scanProgress() == ScanProgress())
    }

    @Test func progressRoundTripsWithFailuresCapped() async throws {
        let temporary = try TemporaryStore()
        var progress = ScanProgress()
        progress.state = .measuring
        progress.filesDone = 120
        progress.filesTotal = 300
        progress.currentFolder = "/music/Ümlaut"
        progress.added = 100
        progress.updated = 3
        progress.unchanged = 7
        progress.unavailable = 2
        progress.startedAt = 1_700_000_000.5
        for index in 0..<150 {
            progress.recordFailure(ScanFailure(path: "/music/broken\(index).mp3", reason: "not audio"))
        }
        #expect(progress.failureCount == 150)
        #expect(progress.failures.count == ScanProgress.failureLimit)
        try temporary.store.setScanProgress(progress)
        #expect(try await temporary.store.scanProgress() == progress)

        // A progress built by hand is capped on the way in; the count still says how many failed.
        var unbounded = ScanProgress()
        unbounded.failures = (0..<150).map { ScanFailure(path: "/m/\($0)", reason: "x") }
        unbounded.finishedAt = 1_700_000_100
        try temporary.store.setScanProgress(unbounded)
        let stored = try await temporary.store.scanProgress()
        #expect(stored.failures == Array(unbounded.failures.prefix(100)))
        #expect(stored.failureCount == 150)
        #expect(stored.finishedAt == 1_700_000_100)
        #expect(stored.state == .idle)
    }

    @Test func anUnreadableSavedProgressReadsAsIdle() async throws {
        let temporary = try TemporaryStore()
        try await temporary.store.pool.write { db in
            try db.execute(sql: "INSERT INTO scan_progress (id, json) VALUES (1, '{\"state\": \"sleeping\"}')")
        }
        #expect(try await temporary.store.scanProgress() == ScanProgress())
    }
}

@Suite struct PlayLogStoreTests {
    @Test func playLogRangeListsPlaysThatStartedInItOldestFirst() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(4, duration: 200)
        try temporary.playRequested(songID: ids[0], times: 1)
        for id in ids.dropFirst() {
            _ = try temporary.store.enqueue(songID: id, requestedBy: nil)
            let play = try #require(try temporary.store.startNextSong())
            try temporary.store.endPlay(playID: play.playID, outcome: id == ids[2] ? .skipped : .finished)
        }
        // Starts at 1000, 2000.25, 3000, 4000 unix seconds.
        try await temporary.store.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE play_log SET startedAt = strftime('%Y-%m-%d %H:%M:%f', 1000 * id + (id = 2) * 0.25,
                        'unixepoch')
                    """)
        }
        let entries = try await temporary.store.playLog(from: 2000, to: 4000)
        #expect(entries.map(\.songID) == [ids[1], ids[2]])
        #expect(entries.map(\.title) == ["Song 2", "Song 3"])
        #expect(entries.map(\.path) == ["/music/song2.mp3", "/music/song3.mp3"])
        #expect(entries.map(\.artist) == ["Artist", "Artist"])
        #expect(entries.map(\.duration) == [200, 200])
        #expect(entries.map(\.outcome) == [.finished, .skipped])
        #expect(abs(entries[0].startedAt - 2000.25) < 0.01)
        #expect(try await temporary.store.playLog(from: 0, to: 1000).isEmpty)
        #expect(try await temporary.store.playLog(from: 0, to: 10_000).count == 4)
        #expect(try temporary.store.playLog().map(\.title) == ["Song 1", "Song 2", "Song 3", "Song 4"])
    }
}
