import HummingbirdBcrypt
import RaveboxCore

/// The admin and mod passwords, kept only as bcrypt hashes in the settings table. There are no default
/// passwords: the admin password comes from the configuration or the first-run setup, the mod password
/// from the admin.
public enum AdminCredentials {
    static let settingKey = "adminPasswordHash"
    static let modSettingKey = "modPasswordHash"
    /// bcrypt cost: about a quarter of a second on a Pi 4, fine for a login.
    static let cost: UInt8 = 10

    static func key(for role: Privilege) -> String { role == .mod ? modSettingKey : settingKey }

    /// Stores the hash of `password` for `role` unless the stored hash already matches it (so restarts do
    /// not rewrite it). Returns whether a new hash was written.
    @discardableResult
    public static func install(password: String, role: Privilege = .admin, in store: Store) throws -> Bool {
        if let existing = try store.setting(key(for: role)), Bcrypt.verify(password, hash: existing) {
            return false
        }
        try store.setSetting(key(for: role), to: Bcrypt.hash(password, cost: cost))
        return true
    }

    /// The bcrypt hash of `password` as the store keeps it (what `ravebox setup` hands the box instead of the
    /// password).
    public static func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Stores `hash` (from ``hash(_:)``) as the password of `role` unless it is the stored one already. Returns
    /// whether it was written.
    @discardableResult
    public static func install(hash: String, role: Privilege = .admin, in store: Store) throws -> Bool {
        guard try store.setting(key(for: role)) != hash else { return false }
        try store.setSetting(key(for: role), to: hash)
        return true
    }

    /// Whether `password` is the password of `role`. `false` when none was set yet.
    public static func verify(_ password: String, role: Privilege = .admin, in store: Store) throws -> Bool {
        guard let hash = try store.setting(key(for: role)) else { return false }
        return Bcrypt.verify(password, hash: hash)
    }

    /// Whether an admin password exists (the first-run setup is closed once it does).
    public static func adminPasswordIsSet(in store: Store) throws -> Bool {
        try store.setting(settingKey) != nil
    }
}
