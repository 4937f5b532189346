import Foundation
import GRDB
import RaveboxCore

/// The player's durable settings: paused or not, and the volume.
public struct PlayerSettings: Sendable, Equatable {
    public var paused: Bool
    /// 0...1.
    public var volume: Double

    public init(paused: Bool, volume: Double) {
        self.paused = paused
        self.volume = volume
    }
}

/// One row of the play log.
public struct PlayLogEntry: Sendable, Equatable {
    public var songID: Int64?
    public var outcome: PlayOutcome
    /// Why the play failed, in words a guest understands.
    public var reason: String?
    /// Seconds from start to end, `nil` while playing.
    public var seconds: Double?
    /// The song's file, title, artist and length (seconds) as the library knows them now.
    public var path: String
    public var title: String
    public var artist: String
    public var duration: Double
    /// When the play started, unix seconds (millisecond precision).
    public var startedAt: Double
}

extension Store {
    /// The current song with its last persisted position, or `nil` when nothing plays.
    public func currentSong() throws(StoreError) -> CurrentSong? {
        try read(Self.currentSong(in:))
    }

    static func currentSong(in db: Database) throws -> CurrentSong? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT c.play_logId, c.entryId, c.songId, c.votes, c.position, s.title, s.artist, s.duration, s.path
                    FROM current_song c JOIN song s ON s.id = c.songId
                    """)
        ).map { row in
            CurrentSong(
                playID: row["play_logId"], entryID: row["entryId"], songID: row["songId"], title: row["title"],
                artist: row["artist"],
                duration: row["duration"], position: row["position"], votes: row["votes"], path: row["path"])
        }
    }

    /// Persists how far the current play got, so a restarted engine resumes there.
    /// - Parameter seconds: position since the song started, excluding pauses.
    public func savePosition(playID: Int64, seconds: Double) throws(StoreError) {
        try write { db in
            try db.cachedStatement(sql: "UPDATE current_song SET position = ? WHERE play_logId = ?").execute(
                arguments: [seconds, playID])
        }
    }

    /// Ends a play: closes its play-log row with the outcome (and the reason when it failed) and clears
    /// the current song, in one transaction. Ending a play that is no longer current only updates the log.
    public func endPlay(playID: Int64, outcome: PlayOutcome, reason: String? = nil) throws(StoreError) {
        try write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE play_log SET outcome = ?, reason = ?, endedAt = strftime('%Y-%m-%d %H:%M:%f', 'now')
                    WHERE id = ?
                    """
            ).execute(arguments: [outcome.rawValue, reason, playID])
            // The votes on this play's request go with it.
            try db.cachedStatement(
                sql: "DELETE FROM vote WHERE entryId = (SELECT entryId FROM current_song WHERE play_logId = ?)"
            ).execute(arguments: [playID])
            try db.cachedStatement(sql: "DELETE FROM current_song WHERE play_logId = ?").execute(arguments: [playID])
        }
    }

    /// A queued song that could not even be opened before its turn (gapless preloading): it leaves the
    /// queue and the play log records it as failed with `reason`, in one transaction. Returns the song id,
    /// or `nil` when the entry is no longer queued.
    @discardableResult
    public func failQueued(entryID: Int64, reason: String) throws(StoreError) -> Int64? {
        try write { db -> Int64? in
            var queue = try SongQueue(Self.queueItems(in: db))
            guard let item = try? queue.remove(id: entryID) else { return nil }
            try db.cachedStatement(sql: "DELETE FROM vote WHERE entryId = ?").execute(arguments: [entryID])
            try db.cachedStatement(sql: "DELETE FROM queue_entry WHERE id = ?").execute(arguments: [entryID])
            try Self.savePositions(of: queue, in: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO play_log (songId, outcome, manuallyRequested, votes, requester, reason, endedAt)
                    VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'))
                    """
            ).execute(arguments: [
                item.songID, PlayOutcome.failed.rawValue, item.manuallyRequested, item.votes, item.requester,
                reason,
            ])
            return item.songID
        }
    }

    /// The most recent failed play of the last `window` seconds, with its reason.
    public func lastFailure(within window: Double = 600) throws(StoreError) -> PartyState.Failure? {
        try read { db in try Self.lastFailure(within: window, in: db) }
    }

    static func lastFailure(within window: Double, in db: Database) throws -> PartyState.Failure? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT p.songId, COALESCE(s.title, '') AS title, COALESCE(p.reason, '') AS reason
                    FROM play_log p LEFT JOIN song s ON s.id = p.songId
                    WHERE p.outcome = 'failed' AND p.endedAt >= datetime('now', ?)
                    ORDER BY p.id DESC LIMIT 1
                    """),
            arguments: ["-\(Int(window)) seconds"]
        ).map { row in
            PartyState.Failure(songID: row["songId"] ?? 0, title: row["title"], reason: row["reason"])
        }
    }

    /// The most recent plays, oldest first (for tests and the admin log).
    public func playLog(limit: Int = 100) throws(StoreError) -> [PlayLogEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "\(Self.playLogSelect) ORDER BY p.id DESC LIMIT ?", arguments: [limit])
                .reversed().map(Self.playLogEntry(from:))
        }
    }

    /// Songs that started between two unix times (`from` included, `to` excluded), oldest first, for an
    /// M3U export by the admin.
    public func playLog(from: Double, to: Double) async throws(StoreError) -> [PlayLogEntry] {
        try await read { db in
            try Row.fetchAll(
                db,
                // Compared as the stored text (UTC, milliseconds): exact at the bounds, unlike julian days.
                sql: """
                    \(Self.playLogSelect)
                    WHERE p.startedAt >= strftime('%Y-%m-%d %H:%M:%f', ?, 'unixepoch')
                        AND p.startedAt < strftime('%Y-%m-%d %H:%M:%f', ?, 'unixepoch')
                    ORDER BY p.startedAt, p.id
                    """,
                arguments: [from, to]
            ).map(Self.playLogEntry(from:))
        }
    }

    private static let playLogSelect = """
        SELECT p.id, p.songId, p.outcome, p.reason,
            (julianday(p.endedAt) - julianday(p.startedAt)) * 86400 AS seconds,
            round((julianday(p.startedAt) - 2440587.5) * 86400.0, 3) AS startedAt,
            COALESCE(s.path, '') AS path, COALESCE(s.title, '') AS title, COALESCE(s.artist, '') AS artist,
            COALESCE(s.duration, 0) AS duration
        FROM play_log p LEFT JOIN song s ON s.id = p.songId
        """

    private static func playLogEntry(from row: Row) -> PlayLogEntry {
        PlayLogEntry(
            songID: row["songId"], outcome: PlayOutcome(rawValue: row["outcome"]) ?? .failed, reason: row["reason"],
            seconds: row["seconds"], path: row["path"], title: row["title"], artist: row["artist"],
            duration: row["duration"], startedAt: row["startedAt"])
    }

    /// The persisted paused flag and volume.
    public func playerSettings() throws(StoreError) -> PlayerSettings {
        try read(Self.playerSettings(in:))
    }

    static func playerSettings(in db: Database) throws -> PlayerSettings {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT paused, volume FROM player_state WHERE id = 1"))
        return PlayerSettings(paused: row?["paused"] ?? false, volume: row?["volume"] ?? 1)
    }

    /// Persists the paused flag and volume.
    public func savePlayerSettings(_ settings: PlayerSettings) throws(StoreError) {
        try write { db in
            try db.cachedStatement(sql: "UPDATE player_state SET paused = ?, volume = ? WHERE id = 1").execute(
                arguments: [settings.paused, settings.volume])
        }
    }
}
