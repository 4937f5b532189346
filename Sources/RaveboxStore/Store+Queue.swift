import GRDB
import RaveboxCore

extension Store {
    /// Appends a library song to the queue for `requestedBy` (a guest's session), in one transaction,
    /// and logs the request. Throws ``StoreError/unknownSong(id:)`` for an unknown or unavailable song.
    /// The requester's own request counts as their +1: with a `voter` key, a +1 vote is recorded for them.
    public func enqueue(songID: Int64, requestedBy: String?, voter: String? = nil) throws(StoreError) -> QueueEntry {
        try write { db in
            guard
                let song = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT title, artist, duration FROM song WHERE id = ? AND available"),
                    arguments: [songID])
            else { throw StoreError.unknownSong(id: songID) }
            let addition = QueueAddition(songID: songID, requester: voter, manuallyRequested: true, requestedAt: 0)
            let id = try Self.insert(addition, session: requestedBy, in: db)
            try db.cachedStatement(sql: "INSERT INTO request_log (songId, session, voter) VALUES (?, ?, ?)").execute(
                arguments: [songID, requestedBy, voter])
            let position = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT position FROM queue_entry WHERE id = ?"), arguments: [id])
            var item = addition.item(id: id)
            item.position = position ?? 0
            return QueueEntry(item, title: song["title"], artist: song["artist"], duration: song["duration"])
        }
    }

    /// Queues a song the box adds itself (repeat, autoplay): at the end, with no requester and 0 votes.
    @discardableResult
    public func add(_ addition: QueueAddition) throws(StoreError) -> Int64 {
        try write { db in try Self.insert(addition, session: nil, in: db) }
    }

    /// Inserts a queue entry for `addition` after the last one, with the votes it starts with
    /// (``QueueAddition/initialBallots``: the requester's +1 for a manual request, else none); returns its id.
    static func insert(_ addition: QueueAddition, session: String?, in db: Database) throws -> Int64 {
        let ballots = addition.initialBallots
        try db.cachedStatement(
            sql: """
                INSERT INTO queue_entry (songId, position, requestedBy, requesterVoter, manuallyRequested, votes)
                VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM queue_entry), ?, ?, ?, ?)
                """
        ).execute(arguments: [addition.songID, session, addition.requester, addition.manuallyRequested, ballots.net])
        let id = db.lastInsertedRowID
        for (voter, vote) in ballots.votes {
            try numberVoter(voter, in: db)
            try db.cachedStatement(sql: "INSERT INTO vote (entryId, voter, value) VALUES (?, ?, ?)").execute(
                arguments: [id, voter, vote.rawValue])
        }
        return id
    }

    /// The queue in play order.
    public func queue() throws(StoreError) -> [QueueEntry] { try read(Self.queue(in:)) }

    /// ``queue()``, for the web process.
    public func queue() async throws(StoreError) -> [QueueEntry] { try await read(Self.queue(in:)) }

    static func queue(in db: Database) throws -> [QueueEntry] {
        try queueRows(in: db).map(\.entry)
    }

    /// Takes the song that plays next out of the queue and makes it the current song, in one
    /// transaction: `pick` chooses among the queued items (the queue rules of ``QueueOrder``; position
    /// order by default), the entry leaves the queue, later positions close the gap, a play-log row is
    /// opened. Returns `nil` when the queue is empty or a song is already current.
    public func startNextSong(
        pick: @Sendable ([QueueItem]) -> Int64? = { $0.min { $0.position < $1.position }?.id }
    ) throws(StoreError) -> CurrentSong? {
        try write { db -> CurrentSong? in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM current_song")) ?? 0 > 0 { return nil }
            var queue = try SongQueue(Self.queueItems(in: db))
            guard let id = pick(queue.items), let item = try? queue.remove(id: id) else { return nil }
            try db.cachedStatement(sql: "DELETE FROM queue_entry WHERE id = ?").execute(arguments: [item.id])
            try Self.savePositions(of: queue, in: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO play_log (songId, outcome, manuallyRequested, votes, requester)
                    VALUES (?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                item.songID, PlayOutcome.playing.rawValue, item.manuallyRequested, item.votes,
                item.requester,
            ])
            let playID = db.lastInsertedRowID
            try db.cachedStatement(
                sql: """
                    INSERT INTO current_song (id, play_logId, songId, votes, position, entryId)
                    VALUES (1, ?, ?, ?, 0, ?)
                    """
            ).execute(arguments: [playID, item.songID, item.votes, item.id])
            return try Self.currentSong(in: db)
        }
    }
}
