import Foundation
import GRDB
import RaveboxCore

/// A guest's session as the box remembers it.
public struct GuestSession: Sendable, Equatable {
    /// The guest's identity for votes and requests (``Voter/key(session:device:oneVotePerDevice:)``); never
    /// sent to the browser.
    public var id: String
    /// The cookie value (``SessionToken``); a new one at every privilege change.
    public var token: String
    public var privilege: Privilege
    /// Index into the guest colour palette, fixed when the session is first seen.
    public var colorIndex: Int
    public var times: SessionLifetime.Times
}

extension Store {
    /// The most sessions kept. Sessions begin only when a guest acts (votes, requests, logs in), and each
    /// device may begin only a few a minute; past this, the least recently seen guests' sessions go first.
    public static let maxSessions = 20_000

    /// The session whose cookie holds `token`, or `nil` for a token the box did not issue (or has forgotten).
    public func session(token: String) async throws(StoreError) -> GuestSession? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "\(Self.sessionColumns) WHERE token = ?"), arguments: [token]).map(
                Self.guestSession)
        }
    }

    /// Begins a guest's session with fresh random id and token and the next colour, and counts a visitor.
    /// Every 64th new session also forgets the expired ones and, past ``maxSessions``, the least recently
    /// seen guests'.
    ///
    /// - Parameter now: Unix time in seconds.
    public func beginSession(device: String?, now: Double) async throws(StoreError) -> GuestSession {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO counter (key, value) VALUES ('visitors', 1)
                    ON CONFLICT(key) DO UPDATE SET value = value + 1
                    """
            ).execute()
            let visitors = try Self.visitors(in: db)
            let session = GuestSession(
                id: SessionToken.make(), token: SessionToken.make(), privilege: .guest,
                colorIndex: visitors - 1, times: .init(createdAt: now, lastSeenAt: now))
            try db.cachedStatement(
                sql: """
                    INSERT INTO guest_session (id, token, device, colorIndex, startedAt, lastSeenAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [session.id, session.token, device, session.colorIndex, now, now])
            if visitors % 64 == 0 { try Self.forgetSessions(now: now, in: db) }
            return session
        }
    }

    /// Deletes expired sessions, then the least recently seen guests' beyond ``maxSessions``.
    static func forgetSessions(now: Double, in db: Database) throws {
        let guest = SessionLifetime.guest
        try db.cachedStatement(sql: "DELETE FROM guest_session WHERE lastSeenAt <= ? OR startedAt <= ?").execute(
            arguments: [now - guest.idle, now - guest.absolute])
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM guest_session")) ?? 0
        guard count > maxSessions else { return }
        try db.cachedStatement(
            sql: """
                DELETE FROM guest_session WHERE id IN (
                    SELECT id FROM guest_session WHERE privilege = 'guest' ORDER BY lastSeenAt LIMIT ?)
                """
        ).execute(arguments: [count - maxSessions])
    }

    /// Notes that the session was seen at `now`. Callers do this at most every few minutes per session, so a
    /// request does not cost a write.
    public func touchSession(id: String, now: Double) async throws(StoreError) {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE guest_session SET lastSeenAt = ? WHERE id = ?").execute(arguments: [
                now, id,
            ])
        }
    }

    /// Gives a session another privilege (`guest` at logout or when the privilege timed out) under a new
    /// token, so a token seen before the change is worth nothing after it. Returns the session as it is now.
    public func setPrivilege(
        _ privilege: Privilege, session id: String, now: Double
    ) async throws(StoreError) -> GuestSession {
        try await write { db in try Self.setPrivilege(privilege, session: id, now: now, in: db) }
    }

    static func setPrivilege(
        _ privilege: Privilege, session id: String, now: Double, in db: Database
    ) throws
        -> GuestSession
    {
        try db.cachedStatement(
            sql: """
                UPDATE guest_session SET privilege = ?, token = ?, lastSeenAt = ?,
                    privilegedAt = CASE WHEN ? = 'guest' THEN NULL ELSE ? END
                WHERE id = ?
                """
        ).execute(arguments: [privilege.rawValue, SessionToken.make(), now, privilege.rawValue, now, id])
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "\(sessionColumns) WHERE id = ?"), arguments: [id])
        else {
            throw StoreError.database("no session \(id)")
        }
        return guestSession(row)
    }

    /// Ends every `role` session except `keeping`'s: they go on as guests' sessions under new tokens.
    /// Returns how many were ended.
    @discardableResult
    static func revokeSessions(of role: Privilege, keeping: String?, in db: Database) throws -> Int {
        try db.cachedStatement(
            sql: """
                UPDATE guest_session SET privilege = 'guest', privilegedAt = NULL
                WHERE privilege = ? AND id IS NOT ?
                """
        ).execute(arguments: [role.rawValue, keeping])
        return db.changesCount
    }

    static let sessionColumns =
        "SELECT id, token, privilege, colorIndex, startedAt, lastSeenAt, privilegedAt FROM guest_session"

    static func guestSession(_ row: Row) -> GuestSession {
        GuestSession(
            id: row["id"], token: row["token"], privilege: Privilege(rawValue: row["privilege"]) ?? .guest,
            colorIndex: row["colorIndex"],
            times: .init(createdAt: row["startedAt"], lastSeenAt: row["lastSeenAt"], privilegedAt: row["privilegedAt"]))
    }

    /// How many distinct sessions have visited.
    public func visitors() throws(StoreError) -> Int {
        try read(Self.visitors(in:))
    }

    static func visitors(in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM counter WHERE key = 'visitors'")) ?? 0
    }
}
