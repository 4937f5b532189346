import GRDB
import RaveboxCore

/// What a vote did.
public struct VoteResult: Sendable, Equatable {
    public var entryID: Int64
    /// Net votes of the request after this vote.
    public var votes: Int
    /// The vote was on the song being played.
    public var isCurrent: Bool
    /// The votes reached the kick threshold: a queued song left the queue; a current song must be skipped.
    public var kicked: Bool
    /// Play-log id of the current song, when `isCurrent`.
    public var playID: Int64?
}

/// The colour numbers of a request's voters.
public struct VoteColors: Sendable, Equatable {
    /// The requester's number, when they still vote for it.
    public var requester: Int?
    public var up: [Int] = []
    public var down: [Int] = []

    public init(requester: Int? = nil, up: [Int] = [], down: [Int] = []) {
        self.requester = requester
        self.up = up
        self.down = down
    }
}

extension Store {
    /// Sets `voter`'s vote on a queued or playing request, in one transaction, and applies the kick rule
    /// ``KickThreshold/outcome(netVotes:isCurrentSong:)``: a queued request that leaves the queue is removed
    /// (positions close up); for the current song the result says so and the caller skips it.
    ///
    /// A vote is idempotent: setting the same value twice changes nothing (``Ballots/cast(_:by:)``). Net
    /// votes are the sum of all voters' votes, kept on the entry in the same transaction.
    ///
    /// - Parameter kickThreshold: the party's threshold now, from ``kickThreshold(settings:now:)``.
    public func vote(
        entryID: Int64, voter: String, vote: Vote, kickThreshold: KickThreshold
    ) throws(StoreError) -> VoteResult {
        try write { db in
            try Self.castVote(entryID: entryID, voter: voter, vote: vote, kickThreshold: kickThreshold, in: db)
        }
    }

    /// ``vote(entryID:voter:vote:kickThreshold:)``, for the web process.
    public func vote(
        entryID: Int64, voter: String, vote: Vote, kickThreshold: KickThreshold
    ) async throws(StoreError) -> VoteResult {
        try await write { db in
            try Self.castVote(entryID: entryID, voter: voter, vote: vote, kickThreshold: kickThreshold, in: db)
        }
    }

    /// The kick threshold for `settings` and the party's size now: the one rule
    /// (``KickThreshold/init(settings:activeGuests:)``) for every process that applies votes. Active guests
    /// are counted only when the threshold depends on them (`downvoteShareToKick` on), so a vote costs no
    /// extra query otherwise.
    ///
    /// - Parameter now: Unix time in seconds.
    public func kickThreshold(settings: BoxSettings, now: Double) throws(StoreError) -> KickThreshold {
        KickThreshold(
            settings: settings, activeGuests: settings.downvoteShareToKick > 0 ? try activeGuests(now: now) : 0)
    }

    /// ``kickThreshold(settings:now:)``, for the web process.
    public func kickThreshold(settings: BoxSettings, now: Double) async throws(StoreError) -> KickThreshold {
        KickThreshold(
            settings: settings, activeGuests: settings.downvoteShareToKick > 0 ? try await activeGuests(now: now) : 0)
    }

    /// Distinct guests who requested something in the last ``ActiveGuests/window`` seconds before `now`
    /// (Unix time in seconds): ``ActiveGuests/count(_:now:)`` over the request log.
    public func activeGuests(now: Double) throws(StoreError) -> Int {
        try read { db in try Self.activeGuests(now: now, in: db) }
    }

    /// ``activeGuests(now:)``, for the web process.
    public func activeGuests(now: Double) async throws(StoreError) -> Int {
        try await read { db in try Self.activeGuests(now: now, in: db) }
    }

    static func activeGuests(now: Double, in db: Database) throws -> Int {
        ActiveGuests.count(try requestActivity(since: now - ActiveGuests.window, in: db), now: now)
    }

    /// ``vote(entryID:voter:vote:kickThreshold:)`` inside a transaction. Its statements come from the
    /// connection's statement cache (``Database/cachedStatement(sql:)``): a vote is the box's most frequent
    /// write, and compiling its SQL anew each time cost more than running it.
    static func castVote(
        entryID: Int64, voter: String, vote: Vote, kickThreshold: KickThreshold, in db: Database
    ) throws
        -> VoteResult
    {
        let queued =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM queue_entry WHERE id = ?"), arguments: [entryID]) ?? false
        let playID = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT play_logId FROM current_song WHERE entryId = ? AND entryId != 0"),
            arguments: [entryID])
        guard queued || playID != nil else { throw StoreError.unknownEntry(id: entryID) }
        try numberVoter(voter, in: db)
        // The net votes change by what Ballots says this voter's new vote adds: O(log n) however many
        // guests voted, where summing all votes again would be O(n) per vote.
        let previous =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT value FROM vote WHERE entryId = ? AND voter = ?"),
                arguments: [entryID, voter]
            ).flatMap(Vote.init(rawValue:)) ?? .none
        var ballot = Ballots()
        ballot.cast(previous, by: voter)
        let change = ballot.cast(vote, by: voter)
        if vote == .none {
            try db.cachedStatement(sql: "DELETE FROM vote WHERE entryId = ? AND voter = ?").execute(
                arguments: [entryID, voter])
        } else if change != 0 {
            try db.cachedStatement(
                sql: """
                    INSERT INTO vote (entryId, voter, value) VALUES (?, ?, ?)
                    ON CONFLICT(entryId, voter) DO UPDATE SET value = excluded.value
                    """
            ).execute(arguments: [entryID, voter, vote.rawValue])
        }
        // One of two fixed statements each (queued or playing), so the cache holds four.
        let table = queued ? "queue_entry" : "current_song"
        let key = queued ? "id" : "entryId"
        try db.cachedStatement(sql: "UPDATE \(table) SET votes = votes + ? WHERE \(key) = ?").execute(
            arguments: [change, entryID])
        let votes =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT votes FROM \(table) WHERE \(key) = ?"), arguments: [entryID]) ?? 0
        let outcome = kickThreshold.outcome(netVotes: votes, isCurrentSong: !queued)
        if outcome == .leavesQueue { try removeEntries([entryID], in: db) }
        return VoteResult(
            entryID: entryID, votes: votes, isCurrent: !queued, kicked: outcome != .stays,
            playID: queued ? nil : playID)
    }

    /// A voter's current vote on each request they voted on (for showing *your* vote).
    public func votes(of voter: String) async throws(StoreError) -> [Int64: Int] {
        try await read { db in
            var result: [Int64: Int] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT entryId, value FROM vote WHERE voter = ?"), arguments: [voter])
            {
                result[row["entryId"]] = row["value"]
            }
            return result
        }
    }

    /// Deletes queue entries and their votes and closes the gaps, inside a transaction.
    static func removeEntries(_ ids: [Int64], in db: Database) throws {
        for id in ids {
            try db.cachedStatement(sql: "DELETE FROM queue_entry WHERE id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM vote WHERE entryId = ?").execute(arguments: [id])
        }
        try renumber(in: db)
    }

    /// Gives a voter the next colour number the first time they vote or request.
    /// Looks the voter up first: counting the numbers given (an O(n) scan) is only for a new voter.
    static func numberVoter(_ voter: String, in db: Database) throws {
        let numbered = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM voter_color WHERE voter = ?"), arguments: [voter])
        guard numbered != true else { return }
        try db.cachedStatement(
            sql: "INSERT INTO voter_color (voter, number) VALUES (?, (SELECT COUNT(*) FROM voter_color))"
        ).execute(arguments: [voter])
    }

    /// Who voted how on each queued or playing request, as colour numbers (``GuestColor/init(number:offset:)``):
    /// the requester's, and the other voters' up and down votes.
    public func voteColors() async throws(StoreError) -> [Int64: VoteColors] {
        try await read { db in
            var requesters: [Int64: String] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, requesterVoter AS voter FROM queue_entry WHERE requesterVoter IS NOT NULL
                        UNION ALL
                        SELECT c.entryId, p.requester FROM current_song c JOIN play_log p ON p.id = c.play_logId
                        WHERE p.requester IS NOT NULL
                        """))
            {
                requesters[row["id"]] = row["voter"]
            }
            var result: [Int64: VoteColors] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT v.entryId, v.voter, v.value, c.number FROM vote v
                        JOIN voter_color c ON c.voter = v.voter ORDER BY c.number
                        """))
            {
                let entry: Int64 = row["entryId"]
                let number: Int = row["number"]
                var colors = result[entry] ?? VoteColors()
                if requesters[entry] == row["voter"] {
                    colors.requester = number
                } else if (row["value"] as Int) > 0 {
                    colors.up.append(number)
                } else {
                    colors.down.append(number)
                }
                result[entry] = colors
            }
            return result
        }
    }

    /// Rewrites positions as 1…n in the current order.
    static func renumber(in db: Database) throws {
        try savePositions(of: SongQueue(queueItems(in: db)), in: db)
    }
}
