import Dispatch
import GRDB
import RaveboxCore
import Synchronization
import Testing

@testable import RaveboxStore

/// The web process's surface of the store waits for SQLite without holding its thread.
@Suite struct AsyncStoreTests {
    /// Runs the jobs of the tasks that prefer it one at a time, in order: what an event loop is to the
    /// connections it serves, or a cooperative thread to the tasks on it. A job that blocks stops all the others.
    final class SerialLoop: TaskExecutor {
        private let queue = DispatchQueue(label: "ravebox.test.serial-loop")

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// Where a request handler is, seen from the test's own task.
    final class Progress: Sendable {
        let started = Mutex(false)
        let finished = Mutex(false)
    }

    /// The engine, as the other process: its own connection to the file, inside a write transaction
    /// (`BEGIN IMMEDIATE`: it holds the write lock) until it commits.
    static func engineHoldingTheWriteLock(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let engine = try DatabaseQueue(path: path, configuration: configuration)
        try engine.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        return engine
    }

    @Test func aWriteWaitingForTheEnginesLockLetsItsLoopServeAnotherRequest() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let engine = try Self.engineHoldingTheWriteLock(temporary.databasePath)
        let loop = SerialLoop()
        let write = Progress()
        let hashtag = Task(executorPreference: loop) {
            write.started.withLock { $0 = true }
            defer { write.finished.withLock { $0 = true } }
            try await store.addHashtag("#waiting")
        }
        while !write.started.withLock({ $0 }) { await Task.yield() }
        // The write waits for the engine's lock. Had it blocked the loop (a synchronous commit), this request
        // would only run once the write got the lock or gave up (the 5 s busy timeout), and the write would be
        // over by then.
        let queue = Task(executorPreference: loop) { try await store.queue() }
        #expect(try await queue.value.isEmpty)
        #expect(!write.finished.withLock { $0 }, "the write still waits for the engine's lock")
        try engine.inDatabase { db in try db.execute(sql: "COMMIT") }
        try await hashtag.value
        #expect(try store.activeHashtags() == ["#waiting"])
    }
}
