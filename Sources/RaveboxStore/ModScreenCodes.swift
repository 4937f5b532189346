import Foundation
import GRDB
import RaveboxCore

/// Mod log-in codes shown on the box's screen (setting `modScreenCodes`): a phone asks for one, the box's
/// screen shows it for ``modCodeLifetime`` seconds, and whoever typed it on that phone is a mod. No reusable
/// password crosses the Wi-Fi, and only someone who can see the box's screen gets in.
///
/// A code is a ``SetupCode`` (40 bits), kept in the settings table with the session that asked for it: it logs
/// in that session only, once, and is gone after ``modCodeWrongTries`` wrong tries. One code is shown at a time:
/// a new request replaces the last one.
extension AdminCredentials {
    static let modCodeKey = "modScreenCode"
    /// Seconds a code is shown and valid.
    public static let modCodeLifetime: Double = 120
    /// Wrong tries after which a code is gone (a new one must be asked for, and shows on the screen).
    static let modCodeWrongTries = 3

    struct ModCode: Codable {
        var code: String
        /// The internal id of the session that asked for it.
        var session: String
        /// Unix time in seconds.
        var expiresAt: Double
        var wrongTries: Int
    }

    /// How a log-in with a screen code ended.
    public enum ModCodeLogin: Sendable, Equatable {
        /// The session is a mod's, under a new token.
        case loggedIn(GuestSession)
        /// The code was not the one shown for this session (or none is shown for it).
        case wrongCode
    }

    /// Makes a new code for `session`, replacing any other, and returns it (to be shown on the screen, never
    /// sent to the phone).
    ///
    /// - Parameter now: Unix time in seconds.
    @discardableResult
    public static func issueModCode(session: String, now: Double, in store: Store) throws -> SetupCode {
        let code = SetupCode.make()
        let stored = ModCode(code: code.characters, session: session, expiresAt: now + modCodeLifetime, wrongTries: 0)
        try store.write { db in try Store.setSetting(modCodeKey, to: try encoded(stored), in: db) }
        return code
    }

    /// The code the screen shows now and until when (Unix seconds); `nil` when none is live.
    public static func modCodeToShow(now: Double, in store: Store) throws -> (code: SetupCode, expiresAt: Double)? {
        guard let stored = try store.read({ db in try modCode(in: db) }), stored.expiresAt > now,
            let code = SetupCode(stored.code)
        else { return nil }
        return (code, stored.expiresAt)
    }

    /// Makes `session` a mod's when `typed` is the live code it asked for, in one transaction; the code is
    /// used up. A wrong try counts against the code, which is gone after ``modCodeWrongTries``.
    public static func redeemModCode(
        _ typed: String, session: String, now: Double, in store: Store
    ) throws -> ModCodeLogin {
        try store.write { db -> ModCodeLogin in
            guard var stored = try modCode(in: db), stored.expiresAt > now else {
                try db.cachedStatement(sql: "DELETE FROM setting WHERE key = ?").execute(arguments: [modCodeKey])
                return .wrongCode
            }
            // Compared whatever the session, so the time taken does not tell whose code is live.
            let right = SetupCode(stored.code)?.matches(typed) == true
            guard right, stored.session == session else {
                stored.wrongTries += 1
                if stored.wrongTries >= modCodeWrongTries {
                    try db.cachedStatement(sql: "DELETE FROM setting WHERE key = ?").execute(arguments: [modCodeKey])
                } else {
                    try Store.setSetting(modCodeKey, to: try encoded(stored), in: db)
                }
                return .wrongCode
            }
            try db.cachedStatement(sql: "DELETE FROM setting WHERE key = ?").execute(arguments: [modCodeKey])
            return .loggedIn(try Store.setPrivilege(.mod, session: session, now: now, in: db))
        }
    }

    private static func modCode(in db: Database) throws -> ModCode? {
        try Store.setting(modCodeKey, in: db).flatMap { try? JSONDecoder().decode(ModCode.self, from: Data($0.utf8)) }
    }

    private static func encoded(_ code: ModCode) throws -> String {
        String(decoding: try JSONEncoder().encode(code), as: UTF8.self)
    }
}
