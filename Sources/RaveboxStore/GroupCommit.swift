import GRDB
import Synchronization

/// Group commit for the web process's writes: writes that arrive while a transaction is committing wait for
/// it, then share the next transaction and its one sync of the WAL.
///
/// A guest's vote is acknowledged only once it is durable, and on an SD card one sync takes milliseconds:
/// a sync per vote would cap the party at a few hundred votes a second. Here the rate of syncs stays that
/// of one writer while each sync carries every write that queued up meanwhile. A write alone at a quiet
/// moment waits for nobody: it starts its transaction at once.
///
/// Each write runs in its own savepoint, so one that throws (a rule refuses, its row is gone) rolls back
/// alone and its caller gets its error; the others commit. Every caller resumes only after the transaction
/// holding its write committed, with its own result, or with the commit's error when the commit failed
/// (then none of the batch's writes happened).
///
/// ```swift
/// let commits = GroupCommit(pool: pool)
/// let votes = try await commits.write { db in try Store.castVote(..., in: db) }
/// ```
final class GroupCommit: Sendable {
    /// The most writes one transaction carries; more wait for the next one.
    static let maxBatch = 512

    /// One caller's write: `run` applies it inside the batch's transaction and returns how to answer the
    /// caller once the commit's outcome is known; `abandon` answers a caller whose write never ran.
    private struct Job: Sendable {
        let run: @Sendable (Database) -> Answer
        let abandon: @Sendable (any Error) -> Void
    }

    /// Resumes the caller: with its write's own outcome when the commit succeeded (`nil`), else with the
    /// commit's error.
    private typealias Answer = @Sendable ((any Error)?) -> Void

    private struct Queue {
        var pending: [Job] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let queue = Mutex(Queue())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in a savepoint of the next group transaction; returns its result once that transaction
    /// committed, or throws `body`'s own error (its changes rolled back) or the commit's.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let outcome: Result<T, any Error>
                    do {
                        outcome = .success(try Self.inSavepoint(db, body))
                    } catch {
                        outcome = .failure(error)
                    }
                    return { commitError in
                        if let commitError {
                            continuation.resume(throwing: commitError)
                        } else {
                            continuation.resume(with: outcome)
                        }
                    }
                },
                abandon: { error in continuation.resume(throwing: error) })
            let starts = queue.withLock { queue in
                queue.pending.append(job)
                defer { queue.committing = true }
                return !queue.committing
            }
            if starts {
                Task { await self.commitAll() }
            }
        }
    }

    /// Writes waiting for the next transaction, and whether a transaction is under way.
    var progress: (waiting: Int, committing: Bool) { queue.withLock { ($0.pending.count, $0.committing) } }

    /// Runs `body` in a savepoint: released when it returns, rolled back (and released) when it throws. The
    /// savepoint's statements come from the connection's statement cache: GRDB's `inSavepoint` compiles them
    /// anew for every write, and at thousands of votes a second that compiling cost more than the vote.
    private static func inSavepoint<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT groupCommit").execute()
        do {
            let result = try body(db)
            try db.cachedStatement(sql: "RELEASE SAVEPOINT groupCommit").execute()
            return result
        } catch {
            // When SQLite already ended the transaction (a full disk) there is no savepoint left to roll back;
            // the batch notices and fails as a whole.
            if db.isInsideTransaction {
                try? db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT groupCommit").execute()
                try? db.cachedStatement(sql: "RELEASE SAVEPOINT groupCommit").execute()
            }
            throw error
        }
    }

    /// Commits batches until none is pending; one such loop runs at a time.
    private func commitAll() async {
        while true {
            let batch = queue.withLock { queue -> [Job] in
                guard !queue.pending.isEmpty else {
                    queue.committing = false
                    return []
                }
                let count = min(queue.pending.count, Self.maxBatch)
                defer { queue.pending.removeFirst(count) }
                return Array(queue.pending.prefix(count))
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    /// Runs the batch's writes in one transaction, commits it and answers every caller.
    private func commit(_ batch: [Job]) async {
        let ran: (answers: [Answer], error: (any Error)?)
        do {
            ran = try await pool.writeWithoutTransaction { db in
                var answers: [Answer] = []
                answers.reserveCapacity(batch.count)
                do {
                    try db.inTransaction(.immediate) {
                        for job in batch {
                            answers.append(job.run(db))
                            // An error that ends SQLite's transaction (a full disk) ends the batch: what ran
                            // before it is gone too.
                            guard db.isInsideTransaction else { throw GroupCommitError.transactionEnded }
                        }
                        return .commit
                    }
                    return (answers, nil)
                } catch {
                    return (answers, error)
                }
            }
        } catch {
            ran = ([], error)
        }
        for answer in ran.answers { answer(ran.error) }
        for job in batch.dropFirst(ran.answers.count) {
            job.abandon(ran.error ?? GroupCommitError.transactionEnded)
        }
    }
}

/// SQLite ended a group transaction before its commit (an I/O error, a full disk): none of its writes
/// happened.
struct GroupCommitError: Error, CustomStringConvertible {
    static let transactionEnded = GroupCommitError()
    var description: String { "the transaction ended before its commit; nothing was written" }
}
