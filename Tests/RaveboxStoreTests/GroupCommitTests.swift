import GRDB
import RaveboxCore
import Synchronization
import Testing

@testable import RaveboxStore

/// The web process's writes that arrive together share one transaction and one sync, and each caller still
/// hears only of its own write, and only once it is durable.
@Suite struct GroupCommitTests {
    /// Counts the transactions the store's writer connection commits.
    final class CommitCounter: TransactionObserver, Sendable {
        let commits = Mutex(0)
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { commits.withLock { $0 += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    /// Holds the write lock from another connection (the engine, say) until the returned queue commits.
    static func holdTheWriteLock(_ path: String) throws -> DatabaseQueue {
        try AsyncStoreTests.engineHoldingTheWriteLock(path)
    }

    /// Waits until a transaction is under way (waiting for the lock) and `count` writes queue up behind it.
    static func waitForQueuedWrites(_ store: Store, _ count: Int) async throws {
        for _ in 0..<10_000 where store.commits.progress != (count, true) {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(store.commits.progress == (count, true))
    }

    @Test func votesThatArriveTogetherShareOneTransactionAndEachSeesItsOwnResult() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let songs = try temporary.addSongs(2)
        let entry = try store.enqueue(songID: songs[1], requestedBy: nil)
        let counter = CommitCounter()
        store.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        let engine = try Self.holdTheWriteLock(temporary.databasePath)
        let voters = 200
        let vote = { @Sendable (voter: Int) in
            try await store.vote(
                entryID: entry.id, voter: "session:\(voter)", vote: voter.isMultiple(of: 4) ? .down : .up,
                kickThreshold: KickThreshold(votes: 1000))
        }
        // The first vote's transaction waits for the lock; the other 199 wait for the next transaction.
        let lone = Task { try await vote(0) }
        try await Self.waitForQueuedWrites(store, 0)
        let votes = Task {
            try await withThrowingTaskGroup(of: (Int, VoteResult, Bool).self) { group in
                for voter in 1..<voters {
                    group.addTask {
                        let result = try await vote(voter)
                        // Acknowledged means committed: a reader (another connection) sees the vote already.
                        let stored = try await store.pool.read { db in
                            try Int.fetchOne(
                                db, sql: "SELECT value FROM vote WHERE voter = ?", arguments: ["session:\(voter)"])
                        }
                        return (voter, result, stored == (voter.isMultiple(of: 4) ? -1 : 1))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        try await Self.waitForQueuedWrites(store, voters - 1)
        try engine.inDatabase { db in try db.execute(sql: "COMMIT") }
        let results = try await votes.value + [(0, try await lone.value, true)]

        #expect(results.count == voters)
        #expect(results.allSatisfy { $0.2 }, "every vote was durable when its caller heard of it")
        #expect(counter.commits.withLock { $0 } == 2, "one transaction for the first vote, one for the 199 after it")
        let expected = (0..<voters).reduce(0) { $0 + ($1.isMultiple(of: 4) ? -1 : 1) }
        #expect(try await store.queue().first?.votes == expected)
    }

    @Test func aWriteThatFailsRollsBackAloneAndTheOthersInItsTransactionCommit() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let engine = try Self.holdTheWriteLock(temporary.databasePath)
        let first = Task { try await store.addHashtag("#first") }
        try await Self.waitForQueuedWrites(store, 0)
        let failing = Task {
            try await store.write { db in
                try db.execute(sql: "INSERT INTO hashtag (text, createdAt) VALUES ('#gone', 0)")
                throw StoreError.database("refused")
            }
        }
        let after = Task { try await store.addHashtag("#after") }
        try await Self.waitForQueuedWrites(store, 2)
        try engine.inDatabase { db in try db.execute(sql: "COMMIT") }

        try await first.value
        await #expect(throws: StoreError.database("refused")) { try await failing.value }
        try await after.value
        #expect(Set(try store.activeHashtags()) == ["#first", "#after"])
    }

    @Test func whenTheCommitFailsEveryWriteInTheTransactionFailsAndNoneHappened() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        // A foreign key checked only at the commit: a child without its parent fails the whole transaction.
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TABLE child (parentId INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)
                    """)
        }
        let engine = try Self.holdTheWriteLock(temporary.databasePath)
        let first = Task { try await store.addHashtag("#alone") }
        try await Self.waitForQueuedWrites(store, 0)
        let good = Task { try await store.addHashtag("#good") }
        let orphan = Task {
            try await store.write { db in try db.execute(sql: "INSERT INTO child (parentId) VALUES (7)") }
        }
        try await Self.waitForQueuedWrites(store, 2)
        try engine.inDatabase { db in try db.execute(sql: "COMMIT") }

        try await first.value
        await #expect(throws: StoreError.self) { try await good.value }
        await #expect(throws: StoreError.self) { try await orphan.value }
        #expect(try store.activeHashtags() == ["#alone"])
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM child") } == 0)
    }
}
