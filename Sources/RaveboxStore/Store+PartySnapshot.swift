import GRDB
import RaveboxCore

/// Everything the party state is made of, read in one transaction: a page or a live update never mixes
/// rows from before and after another process's commit.
public struct PartySnapshot: Sendable, Equatable {
    public var currentSong: CurrentSong?
    public var player: PlayerSettings
    public var settings: BoxSettings
    public var modes: PlaybackModes
    /// The queue in play order (by votes in the voting levels, fairness included; else by position).
    public var queue: [QueueEntry]
    public var lastFailure: PartyState.Failure?
    /// Distinct guests who requested something in the last ``ActiveGuests/window`` seconds.
    public var activeGuests: Int
    public var visitors: Int
    /// Active hashtags, oldest first.
    public var hashtags: [String]
}

extension Store {
    /// The party's rows as of one commit. The queue is read once, as rule input and as display rows together.
    ///
    /// - Parameter now: Unix time in seconds (active guests, plays of the last hour for fairness).
    public func partySnapshot(now: Double) async throws(StoreError) -> PartySnapshot {
        try await read { db in
            let settings = try Self.boxSettings(in: db)
            let rows = try Self.queueRows(in: db)
            let plays =
                settings.fairness == .roundRobin
                ? try Self.playsPerRequester(since: now - QueueOrder.fairnessWindow, in: db) : [:]
            let entries = Dictionary(uniqueKeysWithValues: rows.map { ($0.item.id, $0.entry) })
            let order = QueueOrder.playOrder(
                rows.map(\.item), interactivity: settings.interactivity, fairness: settings.fairness,
                playsLastHour: plays)
            return PartySnapshot(
                currentSong: try Self.currentSong(in: db), player: try Self.playerSettings(in: db),
                settings: settings, modes: try Self.playbackModes(in: db),
                queue: order.compactMap { entries[$0.id] }, lastFailure: try Self.lastFailure(within: 600, in: db),
                activeGuests: try Self.activeGuests(now: now, in: db), visitors: try Self.visitors(in: db),
                hashtags: try Self.activeHashtags(in: db))
        }
    }

    /// Each queue entry once, as the rules see it and as guests see it, in position order.
    static func queueRows(in db: Database) throws -> [(item: QueueItem, entry: QueueEntry)] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT \(queueItemColumns), s.title, s.artist, s.duration
                    FROM queue_entry q JOIN song s ON s.id = q.songId ORDER BY q.position, q.id
                    """)
        ).map { row in
            let item = queueItem(row)
            return (item, QueueEntry(item, title: row["title"], artist: row["artist"], duration: row["duration"]))
        }
    }
}
