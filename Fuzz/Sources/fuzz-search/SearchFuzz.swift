import CFuzzDriver
import Foundation
import GRDB
import RaveboxCore
import RaveboxStore
import Synchronization

/// libFuzzer target: what a guest types into the search box, through ``SearchQuery``, the index's tokenizer
/// (``SearchTokenizer``) and the store's real search (FTS5 over a library of a few songs, migrations and all).
///
/// Checks: the query keeps its bounds (8 words of at most 40 letters or digits, lowercased); every FTS5 query made
/// of it parses, so `searchSongs` never fails; the tokenizer's ASCII shortcut splits exactly as SQLite's unicode61
/// does; ranking is bounded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSearch(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    let query = SearchQuery(text)
    precondition(query.words.count <= SearchQuery.maxWords, "too many words")
    for word in query.words {
        precondition(!word.isEmpty && word.count <= SearchQuery.maxWordLength, "word out of bounds: \(word)")
        precondition(word.allSatisfy { $0.isLetter || $0.isNumber }, "separator in \(word.debugDescription)")
    }
    try! SearchFixture.shared.database.inDatabase { db in
        let tokenizer = try SearchTokenizer(db)
        let tokens = try tokenizer.tokens(text)
        precondition(tokens.count <= text.utf8.count, "more tokens than bytes")
        precondition(tokens.allSatisfy { !$0.isEmpty }, "an empty token")
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let unicode61 = try db.makeTokenizer(.unicode61(diacritics: .remove)).tokenize(document: text).map(\.token)
            precondition(tokens == unicode61, "ASCII tokens \(tokens) differ from unicode61's \(unicode61)")
        }
        guard !query.isEmpty else { return }
        for match in [query.prefixMatch, query.wholeWordMatch, query.leadingMatch, query.tagPrefixMatch] {
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM song_fts WHERE song_fts MATCH ?", arguments: [match])
        }
        let quality = try query.quality(
            title: "Bohemian Rhapsody", artist: "Queen", album: "A Night at the Opera", requests: text,
            tokens: tokenizer.tokens)
        precondition((0...(8 * tokens.count + 8 * query.words.count + 2)).contains(quality), "quality \(quality)")
    }
    let found = SearchFixture.shared.search(text)
    precondition(found.count <= 20, "more songs than the limit")
    return 0
}

/// A store with a few songs, made once per fuzzing process in a temporary folder, and an in-memory database with
/// the store's full-text table for the tokenizer and the MATCH checks.
final class SearchFixture: Sendable {
    static let shared = SearchFixture()

    let store: Store
    let database: DatabaseQueue

    private init() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-search-\(getpid())")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try! Store(path: folder.appendingPathComponent("ravebox.sqlite").path)
        let songs: [(String, String, String)] = [
            ("Bohemian Rhapsody", "Queen", "A Night at the Opera"), ("Halo", "Beyoncé", "I Am... Sasha Fierce"),
            ("One More Time", "Daft Punk", "Discovery"), ("Ça plane pour moi", "Plastic Bertrand", "AN1"),
            ("99 Luftballons", "Nena", "Nena"), ("NEAR OR NOT", "AND", "\"*^:"),
        ]
        _ = try! store.upsert(
            songs.enumerated().map { index, song in
                ScannedFile(
                    path: "/music/\(index).mp3", size: 1000, mtime: 0, title: song.0, artist: song.1, album: song.2,
                    duration: 200, track: nil, year: nil, genre: nil)
            })
        database = try! DatabaseQueue()
        try! database.write { db in
            // As StoreMigrations makes it.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE song_fts USING fts5(
                        title, artist, album, requests,
                        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')
                    """)
            try db.execute(sql: "INSERT INTO song_fts VALUES ('Bohemian Rhapsody', 'Queen', 'Opera', 'bohemian')")
        }
    }

    /// The web process's search, waited for (libFuzzer calls the target on one thread, outside any task).
    func search(_ text: String) -> [Song] {
        let result = Mutex<Result<[Song], StoreError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task { [store] in
            do throws(StoreError) {
                let songs = try await store.searchSongs(text, limit: 20)
                result.withLock { $0 = .success(songs) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch result.withLock({ $0 })! {
        case .success(let songs): return songs
        case .failure(let error): preconditionFailure("search failed: \(error)")
        }
    }
}

/// libFuzzer's command line (see the Makefile's `fuzz` targets).
@main
enum SearchFuzz {
    static func main() {
        exit(rb_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
    }
}
