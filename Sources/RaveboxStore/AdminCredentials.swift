import GRDB
import HummingbirdBcrypt
import RaveboxCore

/// The admin and mod passwords, kept only as bcrypt hashes in the settings table. There are no default
/// passwords: the admin password comes from the configuration or the first-run setup (claimed with the
/// box's ``SetupCode``), the mod password from the admin. Setting a password ends every other session of
/// that role in the same transaction.
///
/// bcrypt takes about a quarter of a second: callers on an event loop run these on a thread of their own.
public enum AdminCredentials {
    static let settingKey = "adminPasswordHash"
    static let modSettingKey = "modPasswordHash"
    /// bcrypt cost: about a quarter of a second on a Pi 4, fine for a login.
    static let cost: UInt8 = 10
    /// What a password is checked against when the role has none, so that a login takes as long whether or not
    /// a password is set and the answer's time does not tell.
    static let standIn = Bcrypt.hash("no password is set for this role", cost: cost)

    static func key(for role: Privilege) -> String { role == .mod ? modSettingKey : settingKey }

    /// Stores the hash of `password` for `role` unless the stored hash already matches it (so restarts do
    /// not rewrite it). A new hash ends every session of that role but `keeping`'s. Returns whether a new
    /// hash was written.
    @discardableResult
    public static func install(
        password: String, role: Privilege = .admin, keeping session: String? = nil, in store: Store
    ) throws -> Bool {
        if let existing = try store.setting(key(for: role)), Bcrypt.verify(password, hash: existing) {
            return false
        }
        return try install(hash: hash(password), role: role, keeping: session, in: store)
    }

    /// The bcrypt hash of `password` as the store keeps it (what `ravebox setup` hands the box instead of the
    /// password).
    public static func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Stores `hash` (from ``hash(_:)``) as the password of `role` unless it is the stored one already; a new
    /// hash ends every session of that role but `keeping`'s, in the same transaction. Returns whether it was
    /// written.
    @discardableResult
    public static func install(
        hash: String, role: Privilege = .admin, keeping session: String? = nil, in store: Store
    ) throws -> Bool {
        try store.write { db in
            guard try Store.setting(key(for: role), in: db) != hash else { return false }
            try Store.setSetting(key(for: role), to: hash, in: db)
            try Store.revokeSessions(of: role, keeping: session, in: db)
            if role == .admin {
                try db.cachedStatement(sql: "DELETE FROM setting WHERE key = ?").execute(arguments: [setupCodeKey])
            }
            return true
        }
    }

    /// Whether `password` is the password of `role`; `false` when none was set yet, after as long a check.
    /// A password longer than bcrypt reads (``BoxConfiguration/maximumPasswordBytes``) is never right: none
    /// can be set.
    public static func verify(_ password: String, role: Privilege = .admin, in store: Store) throws -> Bool {
        let hash = try store.setting(key(for: role))
        let fits = password.utf8.count <= BoxConfiguration.maximumPasswordBytes
        let matches = Bcrypt.verify(fits ? password : "", hash: (fits ? hash : nil) ?? standIn)
        return hash != nil && fits && matches
    }

    /// Whether an admin password exists (the first-run setup is closed once it does).
    public static func adminPasswordIsSet(in store: Store) async throws -> Bool {
        try await store.setting(settingKey) != nil
    }
}

/// The first-run setup: claiming a box with no admin password takes its ``SetupCode``.
extension AdminCredentials {
    static let setupCodeKey = "setupCode"

    /// How a claim of the box ended.
    public enum Claim: Sendable, Equatable {
        /// The password is set and the session is the admin's, under a new token.
        case claimed(GuestSession)
        /// An admin password existed already.
        case alreadyClaimed
        /// The code was not the box's.
        case wrongCode
    }

    /// While the box has no admin password, the code that claims it: `preferred` (the one `ravebox setup`
    /// wrote to the boot partition) when given, else the stored one, else a new one; stored for the screen.
    /// `nil`, and any stored code forgotten, once an admin password exists.
    public static func prepareSetupCode(preferred: SetupCode?, in store: Store) throws -> SetupCode? {
        try store.write { db -> SetupCode? in
            guard try Store.setting(settingKey, in: db) == nil else {
                try db.cachedStatement(sql: "DELETE FROM setting WHERE key = ?").execute(arguments: [setupCodeKey])
                return nil
            }
            let stored = try Store.setting(setupCodeKey, in: db).flatMap(SetupCode.init)
            let code = preferred ?? stored ?? SetupCode.make()
            try Store.setSetting(setupCodeKey, to: code.characters, in: db)
            return code
        }
    }

    /// The code that claims the box now; `nil` once it is claimed.
    public static func setupCode(in store: Store) throws -> SetupCode? {
        try store.setting(setupCodeKey).flatMap(SetupCode.init)
    }

    /// Sets the first admin password and makes `session` the admin's, in one transaction, when `code` is the
    /// box's setup code and no admin password exists: of two claims at once, one wins. The code is used up.
    ///
    /// - Parameter now: Unix time in seconds.
    public static func claim(
        password: String, code: String, session: String, now: Double, in store: Store
    ) throws -> Claim {
        let hash = Bcrypt.hash(password, cost: cost)
        return try store.write { db -> Claim in
            guard try Store.setting(settingKey, in: db) == nil else { return .alreadyClaimed }
            guard let stored = try Store.setting(setupCodeKey, in: db).flatMap(SetupCode.init), stored.matches(code)
            else { return .wrongCode }
            try Store.setSetting(settingKey, to: hash, in: db)
            try db.cachedStatement(sql: "DELETE FROM setting WHERE key = ?").execute(arguments: [setupCodeKey])
            return .claimed(try Store.setPrivilege(.admin, session: session, now: now, in: db))
        }
    }
}
