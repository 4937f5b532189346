import GRDB
import RaveboxCore

/// A guest's session as the box remembers it.
public struct GuestSession: Sendable, Equatable {
    /// The cookie value.
    public var id: String
    /// `guest`, `mod` or `admin`.
    public var privilege: String
    /// Index into the guest colour palette, fixed when the session is first seen.
    public var colorIndex: Int
}

extension Store {
    /// The session with this id, creating it (as a guest, with the next colour) when new.
    public func session(id: String, device: String?) async throws(StoreError) -> GuestSession {
        try await write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT privilege, colorIndex FROM guest_session WHERE id = ?", arguments: [id])
            {
                return GuestSession(id: id, privilege: row["privilege"], colorIndex: row["colorIndex"])
            }
            let next = (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM guest_session") ?? 0)
            try db.execute(
                sql: "INSERT INTO guest_session (id, device, colorIndex) VALUES (?, ?, ?)",
                arguments: [id, device, next])
            try db.execute(
                sql: """
                    INSERT INTO counter (key, value) VALUES ('visitors', 1)
                    ON CONFLICT(key) DO UPDATE SET value = value + 1
                    """)
            return GuestSession(id: id, privilege: "guest", colorIndex: next)
        }
    }

    /// Gives a session another privilege (`guest` after logout).
    public func setPrivilege(_ privilege: String, session id: String) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE guest_session SET privilege = ? WHERE id = ?", arguments: [privilege, id])
        }
    }

    /// How many distinct sessions have visited.
    public func visitors() throws(StoreError) -> Int {
        try read(Self.visitors(in:))
    }

    static func visitors(in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE key = 'visitors'") ?? 0
    }
}
