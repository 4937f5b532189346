import Foundation
import GRDB
import RaveboxCore

extension Store {
    /// The box's settings (defaults for keys never set; a stored value that no longer validates falls back
    /// to its default rather than stopping the box).
    public func boxSettings() throws(StoreError) -> BoxSettings { try read(Self.boxSettings(in:)) }

    /// ``boxSettings()``, for the web process.
    public func boxSettings() async throws(StoreError) -> BoxSettings { try await read(Self.boxSettings(in:)) }

    static func boxSettings(in db: Database) throws -> BoxSettings {
        var stored: [String: String] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM setting")) {
            let key: String = row["key"]
            if SettingsSchema.descriptor(for: key) != nil { stored[key] = row["value"] }
        }
        return BoxSettings.recovering(storedStrings: stored).settings
    }

    /// Validates `patch` against the schema and stores it, all or nothing. Returns the settings after.
    /// - Throws: the ``RuleError`` naming the first invalid setting; nothing is stored then.
    public func updateSettings(_ patch: [String: SettingValue]) async throws -> BoxSettings {
        try await writeOrRefuse { db in
            let updated = try SettingsSchema.apply(patch, to: try Self.boxSettings(in: db))
            let strings = updated.storedStrings
            for key in patch.keys {
                guard let value = strings[key] else { continue }
                try Self.setSetting(key, to: value, in: db)
            }
            return updated
        }
    }

    public func playbackModes() throws(StoreError) -> PlaybackModes { try read(Self.playbackModes(in:)) }

    static func playbackModes(in db: Database) throws -> PlaybackModes {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT shuffle, \"repeat\", autoplay FROM player_state WHERE id = 1"))
        return PlaybackModes(
            shuffle: row?["shuffle"] ?? false, repeat: row?["repeat"] ?? false,
            autoplay: row?["autoplay"] ?? false)
    }

    public func savePlaybackModes(_ modes: PlaybackModes) throws(StoreError) {
        try write { db in try Self.savePlaybackModes(modes, in: db) }
    }

    /// Changes the shuffle, repeat and autoplay modes in one transaction and returns them as saved.
    public func updatePlaybackModes(
        _ change: @escaping @Sendable (inout PlaybackModes) -> Void
    ) async throws(StoreError) -> PlaybackModes {
        try await write { db in
            var modes = try Self.playbackModes(in: db)
            change(&modes)
            try Self.savePlaybackModes(modes, in: db)
            return modes
        }
    }

    static func savePlaybackModes(_ modes: PlaybackModes, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE player_state SET shuffle = ?, \"repeat\" = ?, autoplay = ? WHERE id = 1")
            .execute(arguments: [modes.shuffle, modes.repeat, modes.autoplay])
    }

    /// Songs played per requester since `since` (seconds since 1970), for round-robin fairness.
    public func playsPerRequester(since: Double) throws(StoreError) -> [String: Int] {
        try read { db in try Self.playsPerRequester(since: since, in: db) }
    }

    static func playsPerRequester(since: Double, in db: Database) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT requester, COUNT(*) AS plays FROM play_log
                    WHERE requester IS NOT NULL AND startedAt >= datetime(?, 'unixepoch')
                    GROUP BY requester
                    """),
            arguments: [since])
        {
            result[row["requester"]] = row["plays"]
        }
        return result
    }

    /// Guests' requests since `since` (seconds since 1970), for counting active guests.
    public func requestActivity(since: Double) throws(StoreError) -> [ActiveGuests.Activity] {
        try read { db in try Self.requestActivity(since: since, in: db) }
    }

    static func requestActivity(since: Double, in db: Database) throws -> [ActiveGuests.Activity] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT voter, (julianday(createdAt) - 2440587.5) * 86400.0 AS at FROM request_log
                    WHERE voter IS NOT NULL AND createdAt >= datetime(?, 'unixepoch')
                    """),
            arguments: [since]
        ).map { row in ActiveGuests.Activity(voter: row["voter"], at: row["at"]) }
    }

    /// When the song last started playing (seconds since 1970), or `nil`.
    public func lastPlayed(songID: Int64) throws(StoreError) -> Double? {
        try read { db in try Self.lastPlayed(songID: songID, in: db) }
    }

    static func lastPlayed(songID: Int64, in db: Database) throws -> Double? {
        try Double.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT (julianday(MAX(startedAt)) - 2440587.5) * 86400.0 FROM play_log
                    WHERE songId = ? AND outcome != 'failed'
                    """),
            arguments: [songID])
    }

    /// Whether anyone requested the song before.
    public func wasRequested(songID: Int64) throws(StoreError) -> Bool {
        try read { db in try Self.wasRequested(songID: songID, in: db) }
    }

    static func wasRequested(songID: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM request_log WHERE songId = ? LIMIT 1"), arguments: [songID]) ?? false
    }

    /// Adds a hashtag (normalised by ``Hashtag/normalize(_:)`` beforehand); a repeated one is kept once.
    public func addHashtag(_ text: String) async throws(StoreError) {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO hashtag (text) VALUES (?)").execute(arguments: [text])
        }
    }

    /// Active hashtags, oldest first.
    public func activeHashtags() throws(StoreError) -> [String] { try read(Self.activeHashtags(in:)) }

    static func activeHashtags(in db: Database) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT text FROM hashtag WHERE active ORDER BY id"))
    }
}
