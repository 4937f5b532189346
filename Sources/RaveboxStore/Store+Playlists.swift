import GRDB
import RaveboxCore

/// A playlist a library scan found: an `.m3u`/`.m3u8` file or a folder of songs.
public struct ScannedPlaylist: Sendable, Equatable {
    /// Absolute path of the `.m3u`/`.m3u8` file or of the folder; identifies the playlist across scans.
    public var source: String
    public var name: String
    public var kind: PlaylistKind
    /// Absolute song paths in play order; they may name files the library does not know (yet).
    public var paths: [String]

    public init(source: String, name: String, kind: PlaylistKind, paths: [String]) {
        self.source = source
        self.name = name
        self.kind = kind
        self.paths = paths
    }
}

extension Store {
    /// Playlists found under `root` replace the stored ones from under `root`, in one transaction: new ones
    /// are added, changed ones updated (ids stay), and ones whose source is gone are marked unavailable
    /// (kept, like songs, and available again when their source comes back). Entries are resolved to songs
    /// by path whenever the playlist is read.
    ///
    /// - Returns: how many playlists are stored for `root` now, and how many of their entries named no
    ///   song the library knows.
    @discardableResult
    public func replacePlaylists(
        under root: String, with playlists: [ScannedPlaylist]
    ) throws(StoreError) -> (playlists: Int, missingEntries: Int) {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        let prefix = trimmed.hasSuffix("/") ? trimmed : trimmed + "/"
        var bySource: [String: ScannedPlaylist] = [:]
        for playlist in playlists { bySource[playlist.source] = playlist }
        return try write { db in
            var missing = 0
            for playlist in bySource.values {
                let id = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            INSERT INTO playlist (source, name, kind, available) VALUES (?, ?, ?, 1)
                            ON CONFLICT(source) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                                available = 1
                            RETURNING id
                            """),
                    arguments: [playlist.source, playlist.name, playlist.kind.rawValue])
                guard let id else { continue }
                let stored = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT path FROM playlist_entry WHERE playlistId = ? ORDER BY position"),
                    arguments: [id])
                if stored != playlist.paths {
                    try db.cachedStatement(sql: "DELETE FROM playlist_entry WHERE playlistId = ?").execute(arguments: [
                        id
                    ])
                    for (position, path) in playlist.paths.enumerated() {
                        try db.cachedStatement(
                            sql: "INSERT INTO playlist_entry (playlistId, position, path) VALUES (?, ?, ?)"
                        ).execute(arguments: [id, position + 1, path])
                    }
                }
                missing +=
                    try Int.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT COUNT(*) FROM playlist_entry e
                                WHERE e.playlistId = ? AND NOT EXISTS (SELECT 1 FROM song s WHERE s.path = e.path)
                                """),
                        arguments: [id]) ?? 0
            }
            let gone = try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT source FROM playlist WHERE available AND (source = ? OR substr(source, 1, ?) = ?)"),
                arguments: [trimmed, prefix.utf8.count, prefix]
            ).filter { bySource[$0] == nil }
            for source in gone {
                try db.cachedStatement(sql: "UPDATE playlist SET available = 0 WHERE source = ?").execute(arguments: [
                    source
                ])
            }
            return (bySource.count, missing)
        }
    }

    /// Available playlists with at least one available song whose name matches `query` like
    /// ``searchSongs(_:limit:)`` matches a title (word prefixes, case and accents ignored), by name; an
    /// empty `query` lists them all by name.
    public func playlists(matching query: String, limit: Int) async throws(StoreError) -> [PlaylistSummary] {
        let search = SearchQuery(query)
        guard limit > 0 else { return [] }
        if search.isEmpty && !query.allSatisfy(\.isWhitespace) { return [] }
        let filter = search.isEmpty ? "" : "AND p.id IN (SELECT rowid FROM playlist_fts WHERE playlist_fts MATCH ?)"
        let arguments: StatementArguments = search.isEmpty ? [limit] : [search.prefixMatch, limit]
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.name, p.kind, COUNT(*) AS songCount FROM playlist p
                    JOIN playlist_entry e ON e.playlistId = p.id
                    JOIN song s ON s.path = e.path AND s.available
                    WHERE p.available \(filter)
                    GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?
                    """,
                arguments: arguments
            ).map { row in
                PlaylistSummary(
                    id: row["id"], name: row["name"], kind: PlaylistKind(rawValue: row["kind"]) ?? .m3u,
                    songCount: row["songCount"])
            }
        }
    }

    /// A playlist's available songs in its order (a song listed twice comes twice); empty for an unknown
    /// or unavailable playlist.
    public func playlistSongs(id: Int64, limit: Int) async throws(StoreError) -> [Song] {
        try await read { db in
            try SQLRequest<Song>(
                """
                SELECT \(columnsOf: Song.self, tableAlias: "s") FROM playlist p
                JOIN playlist_entry e ON e.playlistId = p.id
                JOIN song s ON s.path = e.path AND s.available
                WHERE p.id = \(id) AND p.available ORDER BY e.position LIMIT \(limit)
                """
            ).fetchAll(db)
        }
    }
}
