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
    ) async throws(StoreError) -> PlaylistOutcome {
        try await write { db in
            let found = try Song.filter(keys: songIDs).filter(Column("available")).fetchAll(db)
            let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var queue = try SongQueue(Self.queueItems(in: db))
            var requested: [Int64: Bool] = [:]
            var played: [Int64: Double] = [:]
            for song in found {
                requested[song.id] = try Self.wasRequested(songID: song.id, in: db)
                played[song.id] = try Self.lastPlayed(songID: song.id, in: db)
            }
            let decision = RequestDecision.decide(
                songs: songIDs.compactMap { byID[$0] }, queue: queue.items,
                currentSongID: try Self.currentSong(in: db)?.songID, requester: voter,
                requestedBefore: { requested[$0.id] ?? false }, lastPlayed: { played[$0.id] }, now: now,
                settings: settings, privilege: privilege)
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
