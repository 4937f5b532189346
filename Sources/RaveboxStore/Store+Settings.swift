import Foundation
import GRDB
import RaveboxCore

extension Store {
    /// A stored setting's raw value, or `nil` when never set.
    public func setting(_ key: String) throws(StoreError) -> String? {
        try read { db in try Self.setting(key, in: db) }
    }

    /// ``setting(_:)``, for the web process.
    public func setting(_ key: String) async throws(StoreError) -> String? {
        try await read { db in try Self.setting(key, in: db) }
    }

    static func setting(_ key: String, in db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = ?"), arguments: [key])
    }

    /// Stores a setting's raw value.
    public func setSetting(_ key: String, to value: String) throws(StoreError) {
        try write { db in try Self.setSetting(key, to: value, in: db) }
    }

    /// ``setSetting(_:to:)``, for the web process.
    public func setSetting(_ key: String, to value: String) async throws(StoreError) {
        try await write { db in try Self.setSetting(key, to: value, in: db) }
    }

    static func setSetting(_ key: String, to value: String, in db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        ).execute(arguments: [key, value])
    }
}

extension Store {
    /// What LED output `output` shows; the defaults (disabled) when never set or unreadable.
    public func lightSettings(output: String) throws(StoreError) -> LightOutputSettings {
        Self.lightSettings(stored: try setting(LightOutputSettings.storageKey(output: output)))
    }

    /// ``lightSettings(output:)``, for the web process.
    public func lightSettings(output: String) async throws(StoreError) -> LightOutputSettings {
        Self.lightSettings(stored: try await setting(LightOutputSettings.storageKey(output: output)))
    }

    static func lightSettings(stored text: String?) -> LightOutputSettings {
        guard let text, let settings = try? JSONDecoder().decode(LightOutputSettings.self, from: Data(text.utf8))
        else { return LightOutputSettings() }
        return settings
    }

    /// Stores what LED output `output` shows. Bump `.settings` afterwards so the engine picks it up.
    public func setLightSettings(_ settings: LightOutputSettings, output: String) async throws(StoreError) {
        let data = (try? JSONEncoder().encode(settings)) ?? Data()
        try await setSetting(LightOutputSettings.storageKey(output: output), to: String(decoding: data, as: UTF8.self))
    }

    /// The engine's last word on LED output `output` ("" when it works), for the lights page.
    public func lightStatus(output: String) async throws(StoreError) -> String {
        try await setting("lights-status." + output) ?? ""
    }

    /// Records whether LED output `output` works ("") or why not. The engine calls it only on a change.
    public func setLightStatus(_ status: String, output: String) throws(StoreError) {
        try setSetting("lights-status." + output, to: status)
    }
}
