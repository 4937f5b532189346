import GRDB
import RaveboxCore

extension Store {
    /// Runs one queue operation of ``SongQueue`` in one write transaction: the queue is loaded, `body`
    /// changes it (prioritize, remove, reorder, shuffle, remove all...), and the store writes back what
    /// changed: removed entries go (with their votes), positions are rewritten 1…n. Errors `body` throws
    /// (a stale reorder, an unknown id) abort the transaction and reach the caller unchanged.
    @discardableResult
    public func mutateQueue<T: Sendable>(_ body: @escaping @Sendable (inout SongQueue) throws -> T) async throws -> T {
        try await writeOrRefuse { db in
            let before = try SongQueue(Self.queueItems(in: db))
            var after = before
            let result = try body(&after)
            let kept = Set(after.items.map(\.id))
            let removed = before.items.map(\.id).filter { !kept.contains($0) }
            for id in removed {
                try db.cachedStatement(sql: "DELETE FROM queue_entry WHERE id = ?").execute(arguments: [id])
                try db.cachedStatement(sql: "DELETE FROM vote WHERE entryId = ?").execute(arguments: [id])
            }
            try Self.savePositions(of: after, in: db)
            return result
        }
    }

    /// Writes the positions of `queue` (1…n) to the rows whose position differs.
    static func savePositions(of queue: SongQueue, in db: Database) throws {
        for item in queue.items {
            try db.cachedStatement(sql: "UPDATE queue_entry SET position = ? WHERE id = ? AND position != ?").execute(
                arguments: [item.position, item.id, item.position])
        }
    }

    /// The queue as rule input, in position order.
    public func queueItems() throws(StoreError) -> [QueueItem] {
        try read(Self.queueItems(in:))
    }

    static func queueItems(in db: Database) throws -> [QueueItem] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(queueItemColumns) FROM queue_entry q ORDER BY q.position, q.id")
        ).map(
            queueItem)
    }

    /// The columns of `queue_entry` (as `q`) that ``queueItem(_:)`` reads.
    static let queueItemColumns = """
        q.id, q.songId, q.position, q.votes, COALESCE(q.requesterVoter, q.requestedBy) AS requester,
        q.manuallyRequested, (julianday(q.createdAt) - 2440587.5) * 86400.0 AS requestedAt
        """

    /// A queue entry as the rules see it, from a row of ``queueItemColumns``.
    static func queueItem(_ row: Row) -> QueueItem {
        QueueItem(
            id: row["id"], songID: row["songId"], position: row["position"], votes: row["votes"],
            requester: row["requester"], manuallyRequested: row["manuallyRequested"], requestedAt: row["requestedAt"])
    }
}
