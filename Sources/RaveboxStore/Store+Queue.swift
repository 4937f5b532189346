import GRDB
import RaveboxCore

extension Store {
    /// Appends a library song to the queue for `requestedBy` (a guest's session), in one transaction,
    /// and logs the request. Throws ``StoreError/unknownSong(id:)`` for an unknown or unavailable song.
    public func enqueue(songID: Int64, requestedBy: String?) throws(StoreError) -> QueueEntry {
        try Self.wrap {
            try pool.write { db in
                guard
                    let song = try Row.fetchOne(
                        db, sql: "SELECT title, artist, duration FROM song WHERE id = ? AND available",
                        arguments: [songID])
                else { throw StoreError.unknownSong(id: songID) }
                let position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM queue_entry") ?? 0) + 1
                try db.execute(
                    sql: "INSERT INTO queue_entry (songId, position, requestedBy) VALUES (?, ?, ?)",
                    arguments: [songID, position, requestedBy])
                let id = db.lastInsertedRowID
                try db.execute(
                    sql: "INSERT INTO request_log (songId, session) VALUES (?, ?)", arguments: [songID, requestedBy])
                return QueueEntry(
                    id: id, songID: songID, position: position, votes: 0, title: song["title"],
                    artist: song["artist"], duration: song["duration"])
            }
        }
    }

    /// The queue in play order.
    public func queue() throws(StoreError) -> [QueueEntry] {
        try Self.wrap { try pool.read(Self.queue(in:)) }
    }

    static func queue(in db: Database) throws -> [QueueEntry] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT q.id, q.songId, q.position, q.votes, s.title, s.artist, s.duration
                FROM queue_entry q JOIN song s ON s.id = q.songId ORDER BY q.position
                """
        ).map { row in
            QueueEntry(
                id: row["id"], songID: row["songId"], position: row["position"], votes: row["votes"],
                title: row["title"], artist: row["artist"], duration: row["duration"])
        }
    }

    /// Takes the first queued song out of the queue and makes it the current song, in one transaction:
    /// the entry leaves the queue, later positions close the gap, a play-log row is opened. Returns
    /// `nil` when the queue is empty or a song is already current.
    public func startNextSong() throws(StoreError) -> CurrentSong? {
        try Self.wrap {
            try pool.write { db -> CurrentSong? in
                if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM current_song") ?? 0 > 0 { return nil }
                guard
                    let entry = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT id, songId, position, votes, manuallyRequested FROM queue_entry
                            ORDER BY position LIMIT 1
                            """)
                else { return nil }
                let entryID: Int64 = entry["id"]
                let position: Int = entry["position"]
                try db.execute(sql: "DELETE FROM queue_entry WHERE id = ?", arguments: [entryID])
                try db.execute(
                    sql: "UPDATE queue_entry SET position = position - 1 WHERE position > ?", arguments: [position])
                try db.execute(
                    sql: "INSERT INTO play_log (songId, outcome, manuallyRequested, votes) VALUES (?, ?, ?, ?)",
                    arguments: [
                        entry["songId"] as Int64, PlayOutcome.playing.rawValue,
                        entry["manuallyRequested"] as Bool, entry["votes"] as Int,
                    ])
                let playID = db.lastInsertedRowID
                try db.execute(
                    sql: "INSERT INTO current_song (id, play_logId, songId, votes, position) VALUES (1, ?, ?, ?, 0)",
                    arguments: [playID, entry["songId"] as Int64, entry["votes"] as Int])
                return try Self.currentSong(in: db)
            }
        }
    }
}
