import HummingbirdBcrypt
import RaveboxStore

/// The admin password, kept only as a bcrypt hash in the settings table.
public enum AdminCredentials {
    static let settingKey = "adminPasswordHash"
    /// bcrypt cost: about a quarter of a second on a Pi 4, fine for a login.
    static let cost: UInt8 = 10

    /// Stores the hash of `password` unless the stored hash already matches it (so restarts do not rewrite it).
    /// Returns whether a new hash was written.
    @discardableResult
    public static func install(password: String, in store: Store) throws -> Bool {
        if let existing = try store.setting(settingKey), Bcrypt.verify(password, hash: existing) {
            return false
        }
        try store.setSetting(settingKey, to: Bcrypt.hash(password, cost: cost))
        return true
    }

    /// Whether `password` is the admin password. `false` when none was set yet.
    public static func verify(_ password: String, in store: Store) throws -> Bool {
        guard let hash = try store.setting(settingKey) else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}
