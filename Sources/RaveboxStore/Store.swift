import Foundation
import GRDB
import RaveboxCore

/// The box's durable state in one SQLite file (WAL mode), shared by the engine and web processes.
///
/// Every write is one short transaction; a caller acknowledges a guest's request only after the
/// method returned, that is after the commit. Use one `Store` per process.
///
/// ```swift
/// let store = try Store(path: "\(data)/ravebox.sqlite")
/// let entry = try await store.enqueue(songID: 3, requestedBy: session)
/// ```
public final class Store: Sendable {
    /// The underlying pool; readers never block the writer and vice versa.
    public let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        // Another process may hold the write lock for a moment: wait instead of failing.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Readers; the writer is set below.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Acknowledged requests and votes must survive a power cut: sync the WAL on every commit. GRDB's pool
            // sets its writer to NORMAL after the prepareDatabase functions (its WAL set-up), which syncs only at
            // checkpoints: set FULL again on the writer, the one connection that commits.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try StoreMigrations.migrator.migrate(pool)
        } catch {
            throw .database("cannot open \(path): \(error)")
        }
    }

    /// The journal mode SQLite reports (`wal` when all is well).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    static func wrap<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }
}
