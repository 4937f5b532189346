import GRDB
import RaveboxCore

extension Store {
    /// Queues the songs of a playlist request in their order, in one transaction: at the end of the queue, as
    /// songs nobody voted for yet (not manually requested, 0 votes, like Raveberry's playlist songs), stopping
    /// when the queue holds `maxQueueLength` songs (0 = no limit). Unavailable songs are skipped.
    ///
    /// - Returns: the entries added, in order.
    public func enqueuePlaylist(
        songIDs: [Int64], maxQueueLength: Int, requestedBy voter: String?
    ) async throws(StoreError) -> [QueueEntry] {
        try await write { db in
            var room = Int.max
            if maxQueueLength > 0 {
                room = maxQueueLength - (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queue_entry") ?? 0)
            }
            var added: [Int64] = []
            for songID in songIDs where added.count < room {
                let available =
                    try Bool.fetchOne(db, sql: "SELECT available FROM song WHERE id = ?", arguments: [songID]) ?? false
                guard available else { continue }
                let addition = QueueAddition(songID: songID, requester: voter, manuallyRequested: false, requestedAt: 0)
                added.append(try Self.insert(addition, session: nil, in: db))
            }
            let ids = Set(added)
            return try Self.queue(in: db).filter { ids.contains($0.id) }
        }
    }
}
