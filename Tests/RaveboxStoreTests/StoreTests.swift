import Foundation
import GRDB
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxStore

/// A store on a real SQLite file in a fresh temporary folder.
struct TemporaryStore {
    let folder: TemporaryFolder
    let store: Store

    init() throws {
        folder = try TemporaryFolder("store")
        store = try Store(path: folder.file("ravebox.sqlite"))
    }

    var databasePath: String { folder.file("ravebox.sqlite") }

    /// Adds songs named "Song 1"... with the given durations and returns their ids.
    func addSongs(_ count: Int, duration: Double = 60) throws -> [Int64] {
        let files = (1...count).map { index in
            ScannedFile(
                path: "/music/song\(index).mp3", size: 1000, mtime: 1, title: "Song \(index)", artist: "Artist",
                album: "Album", duration: duration)
        }
        try store.upsert(files)
        return try files.map { file in
            try store.pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM song WHERE path = ?", arguments: [file.path])!
            }
        }
    }
}

@Suite struct StoreTests {
    @Test func migratesFromEmptyIntoWALMode() throws {
        let temporary = try TemporaryStore()
        #expect(try temporary.store.journalMode() == "wal")
        let tables = try temporary.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in [
            "song", "queue_entry", "current_song", "vote", "setting", "play_log", "request_log", "request_text",
            "song_fts", "playlist", "playlist_entry", "playlist_fts", "scan_progress",
        ] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        // Opening again runs no migration twice.
        _ = try Store(path: temporary.databasePath)
    }

    /// SQLite's FULL (2) syncs the WAL at every commit, so an acknowledged vote survives a power cut; GRDB's pool
    /// would leave its writer at NORMAL (1), which syncs only at checkpoints (the QEMU power-cut test lost the last
    /// votes before it).
    @Test func everyCommitIsSyncedOnTheWriterAndTheReaders() throws {
        let temporary = try TemporaryStore()
        let writer = try temporary.store.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(writer == 2)
        #expect(try temporary.store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }

    @Test func enqueueAppendsWithConsecutivePositions() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(3)
        for id in ids { _ = try temporary.store.enqueue(songID: id, requestedBy: "guest") }
        let queue = try temporary.store.queue()
        #expect(queue.map(\.songID) == ids)
        #expect(queue.map(\.position) == [1, 2, 3])
        #expect(queue[0].title == "Song 1")
    }

    @Test func enqueueOfUnknownSongIsRefusedAndChangesNothing() throws {
        let temporary = try TemporaryStore()
        _ = try temporary.addSongs(1)
        #expect(throws: StoreError.unknownSong(id: 999)) {
            try temporary.store.enqueue(songID: 999, requestedBy: nil)
        }
        #expect(try temporary.store.queue().isEmpty)
    }

    @Test func unavailableSongCannotBeRequested() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(1)
        try temporary.store.setAvailable(false, songIDs: ids)
        #expect(throws: StoreError.unknownSong(id: ids[0])) {
            try temporary.store.enqueue(songID: ids[0], requestedBy: nil)
        }
    }

    @Test func startNextSongDequeuesTheHeadAndClosesTheGap() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(3)
        for id in ids { _ = try temporary.store.enqueue(songID: id, requestedBy: nil) }

        let current = try #require(try temporary.store.startNextSong())
        #expect(current.songID == ids[0])
        #expect(current.position == 0)
        #expect(try temporary.store.currentSong() == current)
        let queue = try temporary.store.queue()
        #expect(queue.map(\.songID) == [ids[1], ids[2]])
        #expect(queue.map(\.position) == [1, 2])
        // A song is already current: nothing else starts.
        #expect(try temporary.store.startNextSong() == nil)
    }

    @Test func endPlayRecordsTheOutcomeAndClearsTheCurrentSong() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(2)
        for id in ids { _ = try temporary.store.enqueue(songID: id, requestedBy: nil) }
        let first = try #require(try temporary.store.startNextSong())
        try temporary.store.savePosition(playID: first.playID, seconds: 12.5)
        #expect(try temporary.store.currentSong()?.position == 12.5)

        try temporary.store.endPlay(playID: first.playID, outcome: .failed, reason: "not an audio file")
        #expect(try temporary.store.currentSong() == nil)
        let failure = try #require(try temporary.store.lastFailure())
        #expect(failure.songID == ids[0])
        #expect(failure.reason == "not an audio file")

        let second = try #require(try temporary.store.startNextSong())
        try temporary.store.endPlay(playID: second.playID, outcome: .finished)
        let log = try temporary.store.playLog()
        #expect(log.map(\.outcome) == [.failed, .finished])
    }

    @Test func emptyQueueStartsNothing() throws {
        let temporary = try TemporaryStore()
        #expect(try temporary.store.startNextSong() == nil)
    }

    @Test func playerSettingsPersist() throws {
        let temporary = try TemporaryStore()
        #expect(try temporary.store.playerSettings() == PlayerSettings(paused: false, volume: 1))
        try temporary.store.savePlayerSettings(PlayerSettings(paused: true, volume: 0.25))
        let reopened = try Store(path: temporary.databasePath)
        #expect(try reopened.playerSettings() == PlayerSettings(paused: true, volume: 0.25))
    }

    @Test func rescanKeepsIdsAndMarksVanishedFilesUnavailable() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(2)
        let known = try temporary.store.knownFiles(under: "/music")
        #expect(known.count == 2)
        #expect(known["/music/song1.mp3"]?.id == ids[0])
        try temporary.store.setAvailable(false, songIDs: [ids[1]])
        #expect(try await temporary.store.searchSongs("", limit: 10).map(\.id) == [ids[0]])
        #expect(try temporary.store.knownFiles(under: "/elsewhere").isEmpty)
    }

    @Test func searchMatchesTitleArtistOrAlbum() async throws {
        let temporary = try TemporaryStore()
        try temporary.store.upsert([
            ScannedFile(
                path: "/m/a.mp3", size: 1, mtime: 1, title: "Blue Monday", artist: "New Order", album: "", duration: 1),
            ScannedFile(
                path: "/m/b.mp3", size: 1, mtime: 1, title: "Around", artist: "Daft Punk", album: "Homework",
                duration: 1),
        ])
        #expect(try await temporary.store.searchSongs("monday", limit: 10).map(\.title) == ["Blue Monday"])
        #expect(try await temporary.store.searchSongs("daft", limit: 10).map(\.title) == ["Around"])
        #expect(try await temporary.store.searchSongs("homework", limit: 10).map(\.title) == ["Around"])
        #expect(try await temporary.store.searchSongs("100%", limit: 10).isEmpty)
    }

    /// Suggestions put what guests requested before first (most requested first), then the alphabet;
    /// autoplayed songs do not count as requests.
    @Test func songsRequestedBeforeComeFirstInSearch() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(3)
        #expect(try await temporary.store.searchSongs("", limit: 10).map(\.id) == ids)
        for (id, times) in [(ids[2], 2), (ids[1], 1)] {
            for _ in 0..<times {
                _ = try temporary.store.enqueue(songID: id, requestedBy: "guest")
                let play = try #require(try temporary.store.startNextSong())
                try temporary.store.endPlay(playID: play.playID, outcome: .finished)
            }
        }
        try temporary.store.add(
            QueueAddition(songID: ids[0], requester: nil, manuallyRequested: false, requestedAt: 0))
        let autoplayed = try #require(try temporary.store.startNextSong())
        try temporary.store.endPlay(playID: autoplayed.playID, outcome: .finished)
        #expect(try await temporary.store.searchSongs("", limit: 10).map(\.id) == [ids[2], ids[1], ids[0]])
        #expect(try await temporary.store.requestCounts(songIDs: ids) == [ids[2]: 2, ids[1]: 1])
    }

    @Test func settingsRoundTrip() throws {
        let temporary = try TemporaryStore()
        #expect(try temporary.store.setting("x") == nil)
        try temporary.store.setSetting("x", to: "1")
        try temporary.store.setSetting("x", to: "2")
        #expect(try temporary.store.setting("x") == "2")
    }
}
