import GRDB
import RaveboxCore

/// What a playlist request queued, and why the other songs stayed out.
public struct PlaylistOutcome: Sendable, Equatable {
    /// The entries added, in play order.
    public var entries: [QueueEntry]
    /// Why each other song stayed out, in the playlist's order (unavailable songs are not counted).
    public var refusals: [RuleError]
}

extension Store {
    /// Queues the songs of a playlist request in one transaction, by the rules of
    /// ``RequestDecision/decide(songs:queue:currentSongID:requester:requestedBefore:lastPlayed:now:settings:privilege:)``:
    /// as songs nobody voted for yet (not manually requested, 0 votes, like Raveberry's playlist songs), each
    /// refused or left out as that rule says, at the end of the queue or, with `enqueueFirst`, at the top in
    /// the playlist's order. Unavailable songs are skipped.
    ///
    /// - Parameters:
    ///   - voter: the requester's voter key.
    ///   - now: Unix time in seconds.
    public func enqueuePlaylist(
        songIDs: [Int64], requestedBy voter: String?, privilege: Privilege, settings: BoxSettings, now: Double
    ) throws(StoreError) -> PlaylistOutcome {
        try Self.wrap {
            try pool.write { db in
                let found = try Song.filter(keys: songIDs).filter(Column("available")).fetchAll(db)
                let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                var queue = try SongQueue(Self.queueItems(in: db))
                var facts: [Int64: RequestFacts] = [:]
                for song in found { facts[song.id] = try Self.requestFacts(songID: song.id, in: db) }
                let decision = RequestDecision.decide(
                    songs: songIDs.compactMap { byID[$0] }, queue: queue.items,
                    currentSongID: try Self.currentSong(in: db)?.songID, requester: voter,
                    requestedBefore: { facts[$0.id]?.requestedBefore ?? false },
                    lastPlayed: { facts[$0.id]?.lastPlayed }, now: now, settings: settings, privilege: privilege)
                var added: [QueueItem] = []
                for song in decision.accepted {
                    let addition = QueueAddition(
                        songID: song.id, requester: voter, manuallyRequested: false, requestedAt: now)
                    added.append(addition.item(id: try Self.insert(addition, session: nil, in: db)))
                }
                queue.enqueue(added, first: settings.enqueueFirst)
                try Self.savePositions(of: queue, in: db)
                let ids = Set(added.map(\.id))
                return PlaylistOutcome(
                    entries: try Self.queue(in: db).filter { ids.contains($0.id) }, refusals: decision.refusals)
            }
        }
    }

    /// What the request rules need to know of a song's past at this box.
    struct RequestFacts {
        /// It was ever requested here (request log).
        var requestedBefore: Bool
        /// When it last started playing, Unix time in seconds (failed plays do not count).
        var lastPlayed: Double?
    }

    static func requestFacts(songID: Int64, in db: Database) throws -> RequestFacts {
        let requestedBefore =
            try Bool.fetchOne(db, sql: "SELECT 1 FROM request_log WHERE songId = ? LIMIT 1", arguments: [songID])
            ?? false
        let lastPlayed = try Double.fetchOne(
            db,
            sql: """
                SELECT (julianday(MAX(startedAt)) - 2440587.5) * 86400.0 FROM play_log
                WHERE songId = ? AND outcome != 'failed'
                """,
            arguments: [songID])
        return RequestFacts(requestedBefore: requestedBefore, lastPlayed: lastPlayed)
    }
}
