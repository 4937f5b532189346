import Foundation
import GRDB
import RaveboxCore
import Testing

@testable import RaveboxStore

@Suite struct VoteStoreTests {
    @Test func twoHundredConcurrentVotersLoseNoVote() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(1)
        let entry = try temporary.store.enqueue(songID: ids[0], requestedBy: "requester", voter: "session:requester")
        let store = temporary.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for voter in 0..<200 {
                group.addTask {
                    _ = try store.vote(
                        entryID: entry.id, voter: "session:\(voter)", vote: .up, kickThreshold: KickThreshold(votes: 2))
                }
            }
            try await group.waitForAll()
        }
        let queue = try await store.queue()
        #expect(queue.first?.votes == 201)
        let rows = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vote") }
        #expect(rows == 201)
    }

    @Test func voteIsIdempotentAndZeroWithdrawsIt() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(1)
        let entry = try temporary.store.enqueue(songID: ids[0], requestedBy: nil, voter: "session:a")
        #expect(entry.votes == 1)
        let threshold = KickThreshold(votes: 2)
        let b = { (vote: Vote) in
            try temporary.store.vote(entryID: entry.id, voter: "session:b", vote: vote, kickThreshold: threshold).votes
        }
        #expect(try b(.up) == 2)
        #expect(try b(.up) == 2)
        #expect(try b(.down) == 0)
        #expect(try b(.none) == 1)
        #expect(try await temporary.store.votes(of: "session:a") == [entry.id: 1])
    }

    @Test func netVotesAlwaysEqualTheSumOfTheVotersVotes() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(1)
        let entry = try temporary.store.enqueue(songID: ids[0], requestedBy: nil, voter: "session:r")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let voter = "session:\(Int.random(in: 0..<20, using: &generator))"
            let vote = Vote.allCases.randomElement(using: &generator) ?? .none
            let result = try temporary.store.vote(
                entryID: entry.id, voter: voter, vote: vote, kickThreshold: KickThreshold(votes: 1000))
            let sum = try temporary.store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT SUM(value) FROM vote WHERE entryId = ?", arguments: [entry.id]) ?? 0
            }
            #expect(result.votes == sum)
            #expect(try temporary.store.queue().first?.votes == sum)
        }
    }

    @Test func votesFollowTheRequestFromQueueToCurrentSongAndLeaveWithIt() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(2)
        let entry = try temporary.store.enqueue(songID: ids[0], requestedBy: nil, voter: "session:a")
        _ = try await temporary.store.vote(
            entryID: entry.id, voter: "session:b", vote: .up, kickThreshold: KickThreshold(votes: 2))
        let current = try #require(try temporary.store.startNextSong())
        #expect(current.entryID == entry.id)
        #expect(current.votes == 2)
        let result = try await temporary.store.vote(
            entryID: entry.id, voter: "session:c", vote: .down, kickThreshold: KickThreshold(votes: 2))
        #expect(result.isCurrent)
        #expect(result.playID == current.playID)
        #expect(try temporary.store.currentSong()?.votes == 1)
        try temporary.store.endPlay(playID: current.playID, outcome: .finished)
        #expect(throws: StoreError.unknownEntry(id: entry.id)) {
            try temporary.store.vote(
                entryID: entry.id, voter: "session:c", vote: .up, kickThreshold: KickThreshold(votes: 2))
        }
        #expect(try await temporary.store.votes(of: "session:a").isEmpty)
    }

    @Test func votedOutEntryLeavesAndPositionsCloseUp() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(3)
        let entries = try ids.map { try temporary.store.enqueue(songID: $0, requestedBy: nil) }
        let result = try temporary.store.vote(
            entryID: entries[0].id, voter: "session:x", vote: .down, kickThreshold: KickThreshold(votes: 1))
        #expect(result.kicked)
        let queue = try temporary.store.queue()
        #expect(queue.map(\.id) == [entries[1].id, entries[2].id])
        #expect(queue.map(\.position) == [1, 2])
    }

    @Test func startNextSongFollowsThePickAndClosesTheGap() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(3)
        let entries = try ids.map { try temporary.store.enqueue(songID: $0, requestedBy: nil) }
        let picked = entries[1].id
        let current = try #require(try temporary.store.startNextSong(pick: { _ in picked }))
        #expect(current.entryID == picked)
        let queue = try temporary.store.queue()
        #expect(queue.map(\.id) == [entries[0].id, entries[2].id])
        #expect(queue.map(\.position) == [1, 2])
    }

    @Test func requestInsideOneTransactionNeverQueuesADuplicate() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(1)
        let store = temporary.store
        let outcomes = try await withThrowingTaskGroup(of: RequestOutcome.self) { group in
            for guest in 0..<20 {
                group.addTask {
                    try await store.request(
                        songID: ids[0], session: "s\(guest)", voter: "session:s\(guest)", privilege: .guest,
                        settings: BoxSettings(), now: Date().timeIntervalSince1970,
                        kickThreshold: KickThreshold(votes: 2))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .queued = $0 { true } else { false } }.count == 1)
        let queue = try await store.queue()
        #expect(queue.count == 1)
        #expect(queue.first?.votes == 20)
    }

    @Test func mutateQueueRollsBackWhenTheRuleRefuses() async throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(3)
        let entries = try ids.map { try temporary.store.enqueue(songID: $0, requestedBy: nil) }
        await #expect(throws: RuleError.self) {
            try await temporary.store.mutateQueue { queue in
                _ = try queue.remove(id: entries[0].id)
                try queue.reorder(id: entries[1].id, after: 999, before: nil)
            }
        }
        #expect(try await temporary.store.queue().map(\.id) == entries.map(\.id))
    }

    @Test func settingsPersistValidatedAndRefuseBadValuesWhole() async throws {
        let temporary = try TemporaryStore()
        #expect(try await temporary.store.boxSettings() == BoxSettings())
        await #expect(throws: RuleError.self) {
            try await temporary.store.updateSettings(["downvotesToKick": .int(5), "peopleToParty": .int(-1)])
        }
        #expect(try await temporary.store.boxSettings().downvotesToKick == 2)
        _ = try await temporary.store.updateSettings(["downvotesToKick": .int(5)])
        let reopened = try Store(path: temporary.databasePath)
        #expect(try await reopened.boxSettings().downvotesToKick == 5)
    }

    @Test func aDatabaseStillStoringRetiredSettingsLoadsAndTheyAreNoLongerOffered() async throws {
        let temporary = try TemporaryStore()
        try await temporary.store.pool.write { db in
            for (key, value) in [("loggingEnabled", "false"), ("privilegedStream", "true"), ("downvotesToKick", "4")] {
                try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?)", arguments: [key, value])
            }
        }
        let reopened = try Store(path: temporary.databasePath)
        var expected = BoxSettings()
        expected.downvotesToKick = 4
        #expect(try await reopened.boxSettings() == expected)
        #expect(try await reopened.updateSettings(["hashtagsActive": false]).hashtagsActive == false)
        await #expect(throws: RuleError.badRequest("There is no setting called \"loggingEnabled\".")) {
            try await reopened.updateSettings(["loggingEnabled": false])
        }
    }

    @Test(arguments: [(0.0, 2), (0.5, 3), (0.8, 4)])
    func kickThresholdCountsTheGuestsWhoRequestedLately(share: Double, expected: Int) throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(5)
        let now = Date().timeIntervalSince1970
        for (index, id) in ids.enumerated() {
            _ = try temporary.store.enqueue(songID: id, requestedBy: nil, voter: "session:\(index)")
        }
        var settings = BoxSettings()
        settings.downvoteShareToKick = share
        #expect(try temporary.store.activeGuests(now: now) == 5)
        #expect(try temporary.store.activeGuests(now: now + ActiveGuests.window + 60) == 0, "ten minutes later")
        #expect(try temporary.store.kickThreshold(settings: settings, now: now) == KickThreshold(votes: expected))
    }

    @Test func anUpvoteOnASongAlreadyAtALoweredThresholdKicksIt() throws {
        let temporary = try TemporaryStore()
        let ids = try temporary.addSongs(1)
        let entry = try temporary.store.enqueue(songID: ids[0], requestedBy: nil)
        for voter in ["a", "b", "c"] {
            let result = try temporary.store.vote(
                entryID: entry.id, voter: voter, vote: .down, kickThreshold: KickThreshold(votes: 5))
            #expect(!result.kicked)
        }
        let current = try #require(try temporary.store.startNextSong())
        let result = try temporary.store.vote(
            entryID: entry.id, voter: "box-button", vote: .up, kickThreshold: KickThreshold(votes: 2))
        #expect(result.votes == -2)
        #expect(result.kicked && result.isCurrent && result.playID == current.playID)
    }
}
