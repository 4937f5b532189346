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
/// let entry = try store.enqueue(songID: 3, requestedBy: session)
/// let songs = try await store.searchSongs("queen", limit: 20)
/// ```
///
/// Methods come in two surfaces over the same transactions: synchronous ones for the engine's threads,
/// the library scanner and the command line, and `async` ones for the web process, whose handlers must
/// not hold a thread while SQLite waits for the write lock. A method only one side calls exists only in
/// that side's form; the few both call have both, with the same name (an `async` context picks the
/// `async` one).
public final class Store: Sendable {
    /// The underlying pool; readers never block the writer and vice versa.
    public let pool: DatabasePool
    /// The web process's writes, grouped into shared transactions (``GroupCommit``).
    let commits: GroupCommit

    /// Seconds a write waits for another connection's write lock (the other process's transaction) before it
    /// fails. A synchronous caller's thread is blocked for that long, and then for its own commit's fsync.
    public static let busyTimeout = 5.0

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        // Another process may hold the write lock for a moment: wait instead of failing.
        configuration.busyMode = .timeout(Self.busyTimeout)
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
            commits = GroupCommit(pool: pool)
        } catch {
            throw .database("cannot open \(path): \(error)")
        }
    }

    /// The journal mode SQLite reports (`wal` when all is well).
    public func journalMode() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: - Transactions
    //
    // Every public method runs its transaction through one of these, so SQLite's errors become a
    // ``StoreError`` in one place. The synchronous pair is for the engine's threads, the library scanner and
    // the command line: the calling thread waits for the transaction. The `async` pair is for the web
    // process: the calling task suspends while GRDB runs the transaction on its own queues, so a commit that
    // waits for the write lock (another process writes; busy timeout 5 s) or for the WAL's fsync holds no
    // thread of Swift's cooperative pool, which serves every request and WebSocket.

    /// Runs `body` in a read transaction on the calling thread.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch { throw Self.storeError(error) }
    }

    /// Runs `body` in a read transaction on GRDB's reader queues; the caller suspends meanwhile.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.read(body) } catch { throw Self.storeError(error) }
    }

    /// Runs `body` in a write transaction on the calling thread, which waits for the write lock.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.write(body) } catch { throw Self.storeError(error) }
    }

    /// Runs `body` in a savepoint of the next group transaction (``GroupCommit``) on GRDB's writer queue; the
    /// caller suspends while it waits for the write lock and the commit, and resumes once its write is durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await commits.write(body) } catch { throw Self.storeError(error) }
    }

    /// The `async` write for a body that may refuse with an error of its own (a ``RuleError``, a stale
    /// reorder): that error rolls the transaction back and reaches the caller unchanged; only SQLite's errors
    /// become ``StoreError/database(_:)``.
    func writeOrRefuse<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await commits.write(body)
        } catch let error as DatabaseError {
            throw StoreError.database("\(error)")
        } catch let error as GroupCommitError {
            throw StoreError.database("\(error)")
        }
    }

    /// A ``StoreError`` a transaction's body threw, unchanged; any other error as ``StoreError/database(_:)``.
    static func storeError(_ error: any Error) -> StoreError {
        error as? StoreError ?? .database("\(error)")
    }
}
