import GRDB
import RaveboxCore

/// What a library scan found out about one file.
public struct ScannedFile: Sendable, Equatable {
    public var path: String
    public var size: Int64
    /// Modification time, seconds since 1970.
    public var mtime: Double
    public var title: String
    public var artist: String
    public var album: String
    /// Length in seconds.
    public var duration: Double
    /// Track number on its album, from the tags.
    public var track: Int?
    /// Release year, from the tags.
    public var year: Int?
    public var genre: String?

    public init(
        path: String, size: Int64, mtime: Double, title: String, artist: String, album: String, duration: Double,
        track: Int? = nil, year: Int? = nil, genre: String? = nil
    ) {
        self.path = path
        self.size = size
        self.mtime = mtime
        self.title = title
        self.artist = artist
        self.album = album
        self.duration = duration
        self.track = track
        self.year = year
        self.genre = genre
    }
}

/// Size and modification time of a file the library already knows, for incremental scans.
public struct KnownFile: Sendable, Equatable {
    public var id: Int64
    public var size: Int64
    public var mtime: Double
    public var available: Bool
    /// The track number tag, for ordering folder playlists without reading the file again.
    public var track: Int?
}

extension Store {
    /// Files the library knows under `root` (a folder path), keyed by path.
    public func knownFiles(under root: String) throws(StoreError) -> [String: KnownFile] {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return try read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, path, size, mtime, available, track FROM song WHERE substr(path, 1, ?) = ?"),
                arguments: [prefix.utf8.count, prefix])
            var result: [String: KnownFile] = [:]
            for row in rows {
                result[row["path"]] = KnownFile(
                    id: row["id"], size: row["size"], mtime: row["mtime"], available: row["available"],
                    track: row["track"])
            }
            return result
        }
    }

    /// Adds new files and updates changed ones, in one transaction. Returns the number written.
    @discardableResult
    public func upsert(_ files: [ScannedFile]) throws(StoreError) -> Int {
        try write { db in try Self.upsert(files, in: db) }
    }

    static func upsert(_ files: [ScannedFile], in db: Database) throws -> Int {
        for file in files {
            try db.cachedStatement(
                sql: """
                    INSERT INTO song (path, title, artist, album, duration, size, mtime, available, track,
                        year, genre)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                    ON CONFLICT(path) DO UPDATE SET title = excluded.title, artist = excluded.artist,
                        album = excluded.album, duration = excluded.duration, size = excluded.size,
                        mtime = excluded.mtime, available = 1, track = excluded.track,
                        year = excluded.year, genre = excluded.genre,
                        loudness = CASE WHEN song.size = excluded.size AND song.mtime = excluded.mtime
                            THEN song.loudness END,
                        truePeak = CASE WHEN song.size = excluded.size AND song.mtime = excluded.mtime
                            THEN song.truePeak END
                    """
            ).execute(arguments: [
                file.path, file.title, file.artist, file.album, file.duration, file.size, file.mtime,
                file.track, file.year, file.genre,
            ])
        }
        return files.count
    }

    /// Files a song the web process brought in (a guest's upload, a download) in the library and returns its
    /// id, in one transaction; the songs of `evicted` (files the download cache just deleted) become
    /// unavailable in the same transaction.
    public func addToLibrary(_ file: ScannedFile, evicted: [String] = []) async throws(StoreError) -> Int64? {
        try await write { db in
            for path in evicted {
                try db.cachedStatement(sql: "UPDATE song SET available = 0 WHERE path = ?").execute(arguments: [path])
            }
            _ = try Self.upsert([file], in: db)
            return try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM song WHERE path = ?"), arguments: [file.path])
        }
    }

    /// Marks songs available or not (a USB stick came or went; a file vanished). Songs are never deleted,
    /// so their history stays and they return with their files.
    public func setAvailable(_ available: Bool, songIDs: [Int64]) throws(StoreError) {
        guard !songIDs.isEmpty else { return }
        try write { db in
            for id in songIDs {
                try db.cachedStatement(sql: "UPDATE song SET available = ? WHERE id = ?").execute(arguments: [
                    available, id,
                ])
            }
        }
    }

    /// A song's measured loudness: EBU R128 integrated loudness (LUFS) and true peak (linear), or `nil`
    /// when it was not measured yet.
    public func loudness(songID: Int64) throws(StoreError) -> (integrated: Double, truePeak: Double)? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT loudness, truePeak FROM song WHERE id = ?"), arguments: [songID]),
                let integrated = row["loudness"] as Double?, let truePeak = row["truePeak"] as Double?
            else { return nil }
            return (integrated, truePeak)
        }
    }

    public func setLoudness(songID: Int64, integrated: Double, truePeak: Double) throws(StoreError) {
        try write { db in
            try db.cachedStatement(sql: "UPDATE song SET loudness = ?, truePeak = ? WHERE id = ?").execute(arguments: [
                integrated, truePeak, songID,
            ])
        }
    }

    /// Songs in the queue or playing that have no loudness yet, in the order they will play (roughly):
    /// the playing one, then by queue position.
    public func songsNeedingLoudness(limit: Int = 20) throws(StoreError) -> [Song] {
        try read { db in
            try SQLRequest<Song>(
                """
                SELECT \(columnsOf: Song.self, tableAlias: "s") FROM song s
                JOIN (SELECT songId, -1 AS position FROM current_song
                      UNION ALL SELECT songId, position FROM queue_entry) q ON q.songId = s.id
                WHERE s.loudness IS NULL AND s.available = 1
                GROUP BY s.id ORDER BY MIN(q.position) LIMIT \(limit)
                """
            ).fetchAll(db)
        }
    }

    /// One library song by id, or `nil` when unknown.
    public func song(id: Int64) throws(StoreError) -> Song? {
        try read { db in try Song.fetchOne(db, key: id) }
    }

    /// How often guests requested each of `songIDs` at this box (plays that were requested, not
    /// autoplayed); songs never requested are left out.
    public func requestCounts(songIDs: [Int64]) async throws(StoreError) -> [Int64: Int] {
        guard !songIDs.isEmpty else { return [:] }
        return try await read { db in
            var counts: [Int64: Int] = [:]
            let marks = Array(repeating: "?", count: songIDs.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT songId, COUNT(*) AS n FROM play_log
                    WHERE manuallyRequested AND songId IN (\(marks)) GROUP BY songId
                    """,
                arguments: StatementArguments(songIDs))
            for row in rows { counts[row["songId"]] = row["n"] }
            return counts
        }
    }

    /// Every available song as an autoplay candidate: its score is the net votes it had when it played
    /// (summed over its plays), with the last time it started.
    public func autoplayCandidates() throws(StoreError) -> [Autoplay.Candidate] {
        try read(Self.autoplayCandidates(in:))
    }

    static func autoplayCandidates(in db: Database) throws -> [Autoplay.Candidate] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT s.id, COALESCE(SUM(p.votes), 0) AS score,
                        (julianday(MAX(p.startedAt)) - 2440587.5) * 86400.0 AS lastPlayed
                    FROM song s LEFT JOIN play_log p ON p.songId = s.id AND p.outcome != 'failed'
                    WHERE s.available GROUP BY s.id
                    """)
        ).map { row in Autoplay.Candidate(songID: row["id"], score: row["score"], lastPlayed: row["lastPlayed"]) }
    }

    /// A random available song for the dice button, chosen like autoplay: weighted toward songs the party
    /// liked, never one played in the last hour.
    public func randomSong(now: Double) async throws(StoreError) -> Song? {
        try await read { db in
            var generator = SystemRandomNumberGenerator()
            guard let pick = Autoplay.choose(from: try Self.autoplayCandidates(in: db), now: now, using: &generator)
            else { return nil }
            return try Song.fetchOne(db, key: pick.songID)
        }
    }

    /// Number of available songs.
    public func songCount() async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM song WHERE available")) ?? 0
        }
    }
}
