import GRDB
import RaveboxCore

extension Store {
    /// Songs for the search box, best first. Only available songs.
    ///
    /// - An empty (or blank) `query` lists all songs: those guests requested before at this box first
    ///   (most requested first), then by artist and title.
    /// - Otherwise every word (letters and digits; anything else separates words and cannot make the
    ///   query fail) must start a word of the title, artist, album or of what guests typed before
    ///   requesting the song (``recordRequestText(_:songID:)``), ignoring case and accents: "bohem rhap"
    ///   finds "Bohemian Rhapsody", "beyonce" finds "Beyoncé". Results are ranked by match quality
    ///   (``SearchQuery/quality(title:artist:album:requests:tokens:)``: title before artist before request texts
    ///   before album, whole words and leading words first), then popularity (times requested plus net
    ///   votes), then bm25, then artist and title.
    ///
    /// ```swift
    /// let songs = try await store.searchSongs("queen bohemian", limit: 20)
    /// ```
    public func searchSongs(_ query: String, limit: Int) async throws(StoreError) -> [Song] {
        let search = SearchQuery(query)
        guard limit > 0 else { return [] }
        if search.isEmpty {
            // Blank means "show me everything"; punctuation or emoji alone matches nothing.
            guard query.allSatisfy(\.isWhitespace) else { return [] }
            return try await read { db in try Self.allSongs(limit: limit, in: db) }
        }
        return try await read { db in try Self.searchSongs(search, limit: limit, in: db) }
    }

    /// All available songs for the empty search, without sorting the whole library: the few songs ever
    /// requested come from the play log (CROSS JOIN: start from the short log, not from every song), the
    /// rest in index order (`song_artist_title`).
    static func allSongs(limit: Int, in db: Database) throws -> [Song] {
        var songs = try SQLRequest<Song>(
            """
            SELECT \(columnsOf: Song.self, tableAlias: "s") FROM play_log p
            CROSS JOIN song s ON s.id = p.songId
            WHERE p.manuallyRequested AND s.available GROUP BY s.id
            ORDER BY COUNT(*) DESC, s.artist COLLATE NOCASE, s.title COLLATE NOCASE LIMIT \(limit)
            """
        ).fetchAll(db)
        guard songs.count < limit else { return songs }
        let requested = Set(songs.map(\.id))
        // Skipping the requested songs while walking the index: there are few of them.
        let rest = try SQLRequest<Song>(
            """
            SELECT \(columnsOf: Song.self) FROM song INDEXED BY song_artist_title
            WHERE available ORDER BY artist COLLATE NOCASE, title COLLATE NOCASE
            """
        ).fetchCursor(db)
        while songs.count < limit, let song = try rest.next() {
            if !requested.contains(song.id) { songs.append(song) }
        }
        return songs
    }

    /// The ranked search: FTS5 picks candidates, Swift ranks them (``SearchQuery/quality(title:artist:album:requests:tokens:)``).
    ///
    /// bm25 is cheap per row but not free (a `song_fts_docsize` lookup each): a one- or two-letter prefix
    /// can match half of a 50 000-song library, and ranking all of those costs more than a keystroke's
    /// budget. So a query matching at most ``rankedMatchLimit`` songs takes its best candidates by bm25; a
    /// broader one takes them from the narrower queries that hold its best songs anyway (whole words, and
    /// the first word starting the title or artist), each ranked by bm25 when small enough, topped up with
    /// unranked matches when those are too few. Requested songs among the matches are always candidates.
    /// `song_fts` holds available songs only, so no step joins `song` for every match.
    static func searchSongs(
        _ search: SearchQuery, limit: Int, rankedMatchLimit: Int = rankedMatchLimit, in db: Database
    ) throws -> [Song] {
        let wanted = min(max(limit * 4, 50), 1000)
        var scores: [Int64: Double] = [:]
        // Songs requested before come first among the candidates, so popularity can lift them whatever
        // their bm25. `+rowid`: test each match against that (small) set; as a rowid constraint SQLite would
        // run the full-text query once per requested song instead.
        func collect(_ match: String, ranked: Bool) throws {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid AS id, \(ranked ? Self.bm25 : "0.0") AS score,
                        +rowid IN (SELECT songId FROM play_log WHERE manuallyRequested) AS requested
                    FROM song_fts WHERE song_fts MATCH ?
                    ORDER BY requested DESC\(ranked ? ", score" : "") LIMIT ?
                    """,
                arguments: [match, 2 * wanted])
            for row in rows {
                let id: Int64 = row["id"]
                scores[id] = min(scores[id] ?? .infinity, row["score"])
            }
        }
        func matchCount(_ match: String) throws -> Int {
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM song_fts WHERE song_fts MATCH ?"), arguments: [match])
                ?? 0
        }
        if try matchCount(search.prefixMatch) <= rankedMatchLimit {
            try collect(search.prefixMatch, ranked: true)
        } else {
            for match in [search.wholeWordMatch, search.leadingMatch] {
                try collect(match, ranked: try matchCount(match) <= rankedMatchLimit)
            }
            if scores.count < limit { try collect(search.prefixMatch, ranked: false) }
        }
        guard !scores.isEmpty else { return [] }
        let ids = Array(scores.keys)
        let rows = try SQLRequest<Row>(
            """
            SELECT \(columnsOf: Song.self, tableAlias: "s"),
                COALESCE((SELECT group_concat(text, ' ') FROM request_text r WHERE r.songId = s.id), '')
                    AS requests,
                (SELECT COALESCE(SUM(p.manuallyRequested), 0)
                    + COALESCE(SUM(CASE WHEN p.outcome != 'failed' THEN p.votes ELSE 0 END), 0)
                    FROM play_log p WHERE p.songId = s.id) AS popularity
            FROM song s WHERE s.available AND s.id IN \(ids)
            """
        ).fetchAll(db)
        let tokenizer = try SearchTokenizer(db)
        let ranked = try rows.map { row in
            let song = Song(row: row)
            let quality = try search.quality(
                title: song.title, artist: song.artist, album: song.album, requests: row["requests"],
                tokens: tokenizer.tokens)
            return RankedSong(
                song: song, quality: quality, popularity: row["popularity"], score: scores[song.id] ?? 0,
                artistKey: song.artist.lowercased(), titleKey: song.title.lowercased())
        }
        return ranked.sorted(by: RankedSong.precedes).prefix(limit).map(\.song)
    }

    /// Most matches a search ranks with bm25 in one go (about 3 ms of CPU on this project's 2-core x86
    /// build machine; measured with 50 000 synthetic songs).
    static let rankedMatchLimit = 3000

    /// bm25 with column weights: title 10, artist 6, album 1.5, request texts 3.
    private static let bm25 = "bm25(song_fts, 10.0, 6.0, 1.5, 3.0)"

    /// Remembers what a guest typed to find a song, so later searches for the same words find it.
    ///
    /// The text is kept as its words (see ``SearchQuery``), counted when it repeats, and only when the
    /// song's tags do not already match it ("bohem" for "Bohemian Rhapsody" teaches nothing). A song keeps
    /// its ``requestTextLimit`` most frequent texts. Throws ``StoreError/unknownSong(id:)`` for an unknown
    /// song.
    public func recordRequestText(_ text: String, songID: Int64) async throws(StoreError) {
        let search = SearchQuery(text)
        guard !search.isEmpty else { return }
        try await write { db in
            guard
                try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM song WHERE id = ?"), arguments: [songID])
                    ?? false
            else { throw StoreError.unknownSong(id: songID) }
            let taught =
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM song_fts WHERE song_fts MATCH ? AND rowid = ?"),
                    arguments: [search.tagPrefixMatch, songID]) ?? false
            guard !taught else { return }
            try db.cachedStatement(
                sql: """
                    INSERT INTO request_text (songId, text) VALUES (?, ?)
                    ON CONFLICT(songId, text) DO UPDATE SET count = count + 1
                    """
            ).execute(arguments: [songID, search.normalizedText])
            try db.cachedStatement(
                sql: """
                    DELETE FROM request_text WHERE songId = ?1 AND rowid NOT IN (
                        SELECT rowid FROM request_text WHERE songId = ?1 ORDER BY count DESC, rowid DESC LIMIT ?2)
                    """
            ).execute(arguments: [songID, Self.requestTextLimit])
        }
    }

    /// How many different request texts a song keeps: enough for its nicknames, too few for one guest's
    /// typing to bloat the index.
    static let requestTextLimit = 20
}

/// A search candidate with what orders it.
private struct RankedSong {
    var song: Song
    var quality: Int
    var popularity: Int
    /// bm25, lower is better.
    var score: Double
    var artistKey: String
    var titleKey: String

    static func precedes(_ a: Self, _ b: Self) -> Bool {
        if a.quality != b.quality { return a.quality > b.quality }
        if a.popularity != b.popularity { return a.popularity > b.popularity }
        if a.score != b.score { return a.score < b.score }
        if a.artistKey != b.artistKey { return a.artistKey < b.artistKey }
        if a.titleKey != b.titleKey { return a.titleKey < b.titleKey }
        return a.song.id < b.song.id
    }
}
