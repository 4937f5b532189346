import Foundation
import GRDB
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxStore

/// A small library for search: accents, shared words, a leading and a mid-title match, an unavailable
/// song.
struct SearchLibrary {
    let temporary: TemporaryStore
    var store: Store { temporary.store }

    static let songs: [(title: String, artist: String, album: String)] = [
        ("Bohemian Rhapsody", "Queen", "A Night at the Opera"),
        ("Killer Queen", "Queen", "Sheer Heart Attack"),
        ("Dancing Queen", "ABBA", "Arrival"),
        ("Hey Jude", "The Beatles", "Hey Jude"),
        ("Let It Be", "The Beatles", "Let It Be"),
        ("Letters to Nowhere", "Postman", ""),
        ("Halo", "Beyoncé", "I Am... Sasha Fierce"),
        ("Hoppípolla", "Sigur Rós", "Takk..."),
        ("Café del Mar", "Energy 52", ""),
        ("Cafe Latino", "Plain Band", ""),
        ("Rhapsody in Blue", "George Gershwin", ""),
        ("Perfect Day", "Lou Reed", "Transformer"),
        ("Queen of the Night", "Whitney Houston", "The Bodyguard"),
    ]

    init() throws {
        temporary = try TemporaryStore()
        try temporary.store.upsert(
            Self.songs.enumerated().map { index, song in
                ScannedFile(
                    path: "/music/\(index).mp3", size: 1, mtime: 1, title: song.title, artist: song.artist,
                    album: song.album, duration: 180)
            })
        try store.setAvailable(false, songIDs: [try id(of: "Queen of the Night")])
    }

    func id(of title: String) throws -> Int64 {
        try #require(
            try store.pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM song WHERE title = ?", arguments: [title])
            })
    }

    func titles(_ query: String, limit: Int = 20) async throws -> [String] {
        try await store.searchSongs(query, limit: limit).map(\.title)
    }

    /// The search as it runs for a query matching more than ``Store/rankedMatchLimit`` songs.
    func broadTitles(_ query: String, limit: Int = 20) async throws -> [String] {
        let search = SearchQuery(query)
        guard !search.isEmpty else { return try await titles(query, limit: limit) }
        return try await store.pool.read { db in
            try Store.searchSongs(search, limit: limit, rankedMatchLimit: 0, in: db).map(\.title)
        }
    }

    func request(_ title: String, times: Int) throws {
        try temporary.playRequested(songID: try id(of: title), times: times)
    }
}

@Suite struct LibrarySearchTests {
    struct Relevance: Sendable, CustomTestStringConvertible {
        var query: String
        /// Titles expected in this order, or in any order when `ordered` is false.
        var titles: [String]
        var ordered = true
        var testDescription: String { "\"\(query)\"" }
    }

    static let relevance: [Relevance] = [
        Relevance(query: "BEATLES", titles: ["Hey Jude", "Let It Be"], ordered: false),
        Relevance(query: "beyonce", titles: ["Halo"]),
        Relevance(query: "BEYONCÉ", titles: ["Halo"]),
        Relevance(query: "sigur ros", titles: ["Hoppípolla"]),
        Relevance(query: "hoppipolla", titles: ["Hoppípolla"]),
        Relevance(query: "café", titles: ["Café del Mar", "Cafe Latino"], ordered: false),
        Relevance(query: "cafe", titles: ["Café del Mar", "Cafe Latino"], ordered: false),
        Relevance(query: "bohem rhap", titles: ["Bohemian Rhapsody"]),
        Relevance(query: "gershwin", titles: ["Rhapsody in Blue"]),
        Relevance(query: "queen bohemian", titles: ["Bohemian Rhapsody"]),
        Relevance(query: "bohemian queen", titles: ["Bohemian Rhapsody"]),
        // A title word beats an artist word; the unavailable "Queen of the Night" never shows.
        Relevance(query: "queen", titles: ["Killer Queen", "Dancing Queen", "Bohemian Rhapsody"]),
        // A title that starts with the word beats one that has it later.
        Relevance(query: "rhapsody", titles: ["Rhapsody in Blue", "Bohemian Rhapsody"]),
        // A whole word beats the start of a longer one.
        Relevance(query: "let", titles: ["Let It Be", "Letters to Nowhere"]),
        Relevance(query: "opera", titles: ["Bohemian Rhapsody"]),
        Relevance(query: "night", titles: ["Bohemian Rhapsody"]),
        Relevance(query: "whitney", titles: []),
        Relevance(query: "queen zzz", titles: []),
        Relevance(query: "energy 52", titles: ["Café del Mar"]),
        Relevance(query: "  hey   jude  ", titles: ["Hey Jude"]),
    ]

    @Test(arguments: relevance)
    func searchFindsAndRanks(_ expected: Relevance) async throws {
        let library = try SearchLibrary()
        let found = try await library.titles(expected.query)
        // A broad query (many matches) takes its candidates another way; the answer is the same.
        let broad = try await library.broadTitles(expected.query)
        if expected.ordered {
            #expect(found == expected.titles)
            #expect(broad == expected.titles)
        } else {
            #expect(found.sorted() == expected.titles.sorted())
            #expect(broad.sorted() == expected.titles.sorted())
        }
    }

    /// Whatever a guest types, the search answers: FTS5 syntax, SQL, quotes and emoji are just text.
    @Test(arguments: [
        "\"", "\"\"", "\"queen", "queen\"", "*", "queen*", "-queen", "queen OR beatles", "NEAR(queen beatles)",
        "NEAR", "(", ")", "((queen", "AND", "NOT queen", "queen NOT", "🎉", "queen 🎉", "'; DROP TABLE song; --",
        "title:queen", "{title}: queen", "^queen", "queen^", "q\u{0}een", "%", "_", "\\", "+", ":", "a:b",
        String(repeating: "queen ", count: 2000), String(repeating: "x", count: 10000), "🏳️‍🌈 ❤️", "e\u{301}",
    ])
    func hostileInputNeverThrows(_ query: String) async throws {
        let library = try SearchLibrary()
        let songs = try await library.store.searchSongs(query, limit: 20)
        #expect(songs.allSatisfy { $0.title != "Queen of the Night" })
        _ = try await library.broadTitles(query)
        try await library.store.recordRequestText(query, songID: try library.id(of: "Halo"))
        _ = try await library.store.playlists(matching: query, limit: 20)
    }

    @Test func operatorsTypedByGuestsAreWords() async throws {
        let library = try SearchLibrary()
        #expect(try await library.titles("-queen") == library.titles("queen"))
        #expect(try await library.titles("\"killer queen\"") == ["Killer Queen"])
        #expect(try await library.titles("queen OR beatles").isEmpty)
        #expect(try await library.titles("🎉").isEmpty)
        #expect(try await library.titles("killer 🎉") == ["Killer Queen"])
    }

    @Test func equalMatchesPutTheMoreRequestedFirst() async throws {
        let temporary = try TemporaryStore()
        try temporary.store.upsert([
            ScannedFile(path: "/m/a.mp3", size: 1, mtime: 1, title: "Love Song", artist: "Aaa", album: "", duration: 1),
            ScannedFile(path: "/m/b.mp3", size: 1, mtime: 1, title: "Love Song", artist: "Bbb", album: "", duration: 1),
        ])
        #expect(try await temporary.store.searchSongs("love", limit: 10).map(\.artist) == ["Aaa", "Bbb"])
        try temporary.playRequested(songID: try temporary.id(path: "/m/b.mp3"), times: 2)
        #expect(try await temporary.store.searchSongs("love", limit: 10).map(\.artist) == ["Bbb", "Aaa"])
        // Popularity does not beat a better match.
        try temporary.store.upsert([
            ScannedFile(path: "/m/c.mp3", size: 1, mtime: 1, title: "Lovely", artist: "Ccc", album: "", duration: 1)
        ])
        try temporary.playRequested(songID: try temporary.id(path: "/m/c.mp3"), times: 5)
        #expect(try await temporary.store.searchSongs("love", limit: 10).map(\.artist) == ["Bbb", "Aaa", "Ccc"])
    }

    @Test func aRequestTextFindsTheSongLater() async throws {
        let library = try SearchLibrary()
        let id = try library.id(of: "Perfect Day")
        #expect(try await library.titles("that song from the wedding").isEmpty)
        try await library.store.recordRequestText("That song from the WEDDING!", songID: id)
        #expect(try await library.titles("that song from the wedding") == ["Perfect Day"])
        #expect(try await library.titles("wedding") == ["Perfect Day"])
        #expect(try await library.titles("weddi") == ["Perfect Day"])
        // Said again, it is counted, not stored twice.
        try await library.store.recordRequestText("that song from the wedding", songID: id)
        let rows = try library.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT text, count FROM request_text WHERE songId = ?", arguments: [id])
        }
        #expect(rows.map { $0["text"] as String } == ["that song from the wedding"])
        #expect(rows.map { $0["count"] as Int } == [2])
    }

    @Test func aRequestTextTheTagsAlreadyMatchIsNotStored() async throws {
        let library = try SearchLibrary()
        try await library.store.recordRequestText("lou perf", songID: try library.id(of: "Perfect Day"))
        try await library.store.recordRequestText("🎉", songID: try library.id(of: "Perfect Day"))
        let count = try await library.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request_text")
        }
        #expect(count == 0)
        await #expect(throws: StoreError.unknownSong(id: 999)) {
            try await library.store.recordRequestText("anything", songID: 999)
        }
    }

    @Test func aSongKeepsOnlyItsMostFrequentRequestTexts() async throws {
        let library = try SearchLibrary()
        let id = try library.id(of: "Perfect Day")
        try await library.store.recordRequestText("wedding", songID: id)
        try await library.store.recordRequestText("wedding", songID: id)
        for index in 0..<(Store.requestTextLimit + 5) {
            try await library.store.recordRequestText("nickname\(index)", songID: id)
        }
        let count = try await library.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request_text WHERE songId = ?", arguments: [id])
        }
        #expect(count == Store.requestTextLimit)
        #expect(try await library.titles("wedding") == ["Perfect Day"])
    }

    @Test func theIndexFollowsRenamesAndAvailability() async throws {
        let library = try SearchLibrary()
        try library.store.upsert([
            ScannedFile(
                path: "/music/11.mp3", size: 2, mtime: 2, title: "A Perfect Night", artist: "Lou Reed",
                album: "Transformer", duration: 180)
        ])
        #expect(try await library.titles("perfect day").isEmpty)
        #expect(try await library.titles("perfect night") == ["A Perfect Night"])
        let id = try library.id(of: "Queen of the Night")
        try library.store.setAvailable(true, songIDs: [id])
        #expect(try await library.titles("whitney") == ["Queen of the Night"])
    }

    @Test func aSongComingBackIsFoundByItsRequestTextsAgain() async throws {
        let library = try SearchLibrary()
        let id = try library.id(of: "Perfect Day")
        try await library.store.recordRequestText("wedding", songID: id)
        try library.store.setAvailable(false, songIDs: [id])
        #expect(try await library.titles("wedding").isEmpty)
        #expect(try await library.titles("perfect").isEmpty)
        // A request text learnt while the song was away is kept for its return.
        try await library.store.recordRequestText("sunday", songID: id)
        try library.store.setAvailable(true, songIDs: [id])
        #expect(try await library.titles("wedding") == ["Perfect Day"])
        #expect(try await library.titles("sunday") == ["Perfect Day"])
        #expect(try await library.titles("perfect") == ["Perfect Day"])
    }

    /// A rescan that finds a vanished file again (with new tags) puts it back in the index.
    @Test func aRescannedSongReturnsWithItsNewTags() async throws {
        let library = try SearchLibrary()
        let id = try library.id(of: "Perfect Day")
        try library.store.setAvailable(false, songIDs: [id])
        try library.store.upsert([
            ScannedFile(
                path: "/music/11.mp3", size: 2, mtime: 2, title: "Perfect Day (Remastered)", artist: "Lou Reed",
                album: "Transformer", duration: 180)
        ])
        #expect(try await library.titles("remaster") == ["Perfect Day (Remastered)"])
        #expect(try await library.store.searchSongs("", limit: 100).count == SearchLibrary.songs.count - 1)
    }

    @Test func emptyQueryListsAvailableSongsByArtistThenTitle() async throws {
        let library = try SearchLibrary()
        let all = try await library.store.searchSongs("", limit: 100)
        #expect(all.count == SearchLibrary.songs.count - 1)
        #expect(all.first?.artist == "ABBA")
        #expect(try await library.store.searchSongs("   ", limit: 3).count == 3)
        try library.request("Perfect Day", times: 1)
        #expect(try await library.titles("", limit: 2) == ["Perfect Day", "Dancing Queen"])
        #expect(try await library.titles("", limit: 0).isEmpty)
    }

    @Test func songsFromBeforeTheSearchIndexAreIndexed() async throws {
        let folder = try TemporaryFolder("fts")
        defer { folder.remove() }
        let path = folder.file("ravebox.sqlite")
        let pool = try DatabasePool(path: path)
        try StoreMigrations.migrator.migrate(pool, upTo: "v4: loudness per song")
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO song (path, title, artist, duration) VALUES ('/m/a.mp3', 'Señorita', 'Shawn', 1)")
        }
        try pool.close()
        let store = try Store(path: path)
        #expect(try await store.searchSongs("senor", limit: 10).map(\.title) == ["Señorita"])
    }

    @Test func tagsAreStored() throws {
        let temporary = try TemporaryStore()
        try temporary.store.upsert([
            ScannedFile(
                path: "/m/a.flac", size: 1, mtime: 1, title: "A", artist: "B", album: "C", duration: 1, track: 3,
                year: 1999, genre: "House")
        ])
        let row = try #require(
            try temporary.store.pool.read { db in try Row.fetchOne(db, sql: "SELECT track, year, genre FROM song") })
        #expect(row["track"] as Int? == 3)
        #expect(row["year"] as Int? == 1999)
        #expect(row["genre"] as String? == "House")
    }

    @Test func sqliteHasFTS5WithTheUnicodeTokenizer() throws {
        let temporary = try TemporaryStore()
        let options = try temporary.store.pool.read { db in
            try String.fetchAll(db, sql: "PRAGMA compile_options")
        }
        #expect(options.contains("ENABLE_FTS5"))
    }
}

extension TemporaryStore {
    /// The id of the song at `path`.
    func id(path: String) throws -> Int64 {
        try #require(
            try store.pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM song WHERE path = ?", arguments: [path])
            })
    }

    /// Requests a song and plays it to the end, `times` times (what popularity counts).
    func playRequested(songID: Int64, times: Int) throws {
        for _ in 0..<times {
            _ = try store.enqueue(songID: songID, requestedBy: "guest")
            let play = try #require(try store.startNextSong())
            try store.endPlay(playID: play.playID, outcome: .finished)
        }
    }
}
