import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxIPC
import Testing

@testable import RaveboxWeb

@Suite struct QueueAPITests {
    func app(_ box: WebTestBox) -> some ApplicationProtocol { Application(router: box.web.router()) }

    @Test func stateOfAFreshBoxIsIdleWithAnEmptyQueue() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let reply = try await Guest().call(client, .get, "/api/state")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            let state = try reply.decode(PartyState.self)
            #expect(state.playback == .idle)
            #expect(state.queue.isEmpty)
            #expect(state.currentSong == nil)
            #expect(!state.engineOnline)
            #expect(state.interactivity == .upAndDown)
        }
    }

    @Test func requestQueuesWithTheRequestersUpvoteAndARepeatCountsAsAnUpvote() async throws {
        let box = try WebTestBox()
        let countBefore = box.segment.changeCount(.queue)
        let (alice, bob) = (Guest(), Guest())
        try await app(box).test(.router) { client in
            let first = try await alice.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[1])}")
            #expect(first.status == .created)
            let entry = try #require(try first.decode(RequestReply.self).entry)
            #expect(entry.songID == box.songIDs[1])
            #expect(entry.votes == 1)
            #expect(entry.position == 1)

            let again = try await bob.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[1])}")
            #expect(again.status == .ok)
            let reply = try again.decode(RequestReply.self)
            #expect(reply.countedAsUpvote)
            #expect(reply.message.contains("upvote"))
            // Alice asking twice changes nothing: her vote is already +1.
            _ = try await alice.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[1])}")
            let state = try await alice.call(client, .get, "/api/state").decode(PartyState.self)
            #expect(state.queue.map(\.songID) == [box.songIDs[1]])
            #expect(state.queue.first?.votes == 2)
        }
        #expect(box.segment.changeCount(.queue) > countBefore)
        #expect(box.drainCommands().isEmpty)
    }

    @Test(arguments: ["{\"songId\": ", "not json", "{\"song\": 1}", "{\"songId\": \"abc\"}", "", "[1]"])
    func malformedRequestIsABadRequestWithAJSONError(body: String) async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let reply = try await Guest().call(client, .post, "/api/queue", body)
            #expect(reply.status == .badRequest)
            #expect(reply.error?.contains("songId") == true)
        }
        #expect(try await box.store.queue().isEmpty)
    }

    @Test func unknownSongIsNotFound() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let reply = try await Guest().call(client, .post, "/api/queue", "{\"songId\": 4242}")
            #expect(reply.status == .notFound)
            #expect(reply.error == "There is no song 4242 in the library.")
        }
    }

    @Test func votesAreIdempotentPerVoterAndCountTowardsTheOrder() async throws {
        let box = try WebTestBox()
        let guests = (0..<3).map { _ in Guest() }
        try await app(box).test(.router) { client in
            let first = try await box.request(box.songIDs[0], as: guests[0], client)
            let second = try await box.request(box.songIDs[1], as: guests[0], client)
            // Two votes for the second song put it first.
            for guest in guests[1...] {
                let reply = try await guest.call(client, .put, "/api/queue/\(second)/vote", "{\"vote\": 1}")
                #expect(reply.status == .ok)
            }
            let twice = try await guests[1].call(client, .put, "/api/queue/\(second)/vote", "{\"vote\": 1}")
            #expect(try twice.decode(VoteReply.self).votes == 3)
            let state = try await guests[0].call(client, .get, "/api/state").decode(PartyState.self)
            #expect(state.queue.map(\.id) == [second, first])
            // Taking a vote back.
            let back = try await guests[1].call(client, .put, "/api/queue/\(second)/vote", "{\"vote\": 0}")
            #expect(try back.decode(VoteReply.self).votes == 2)
            let mine = try await guests[2].call(client, .get, "/api/session").decode(SessionReply.self)
            #expect(mine.votes["\(second)"] == 1)
        }
    }

    @Test(arguments: ["{\"vote\": 2}", "{\"vote\": -2}", "{\"vote\": \"up\"}", "{}"])
    func voteOutOfRangeIsABadRequest(body: String) async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let id = try await box.request(box.songIDs[0], as: Guest(), client)
            let reply = try await Guest().call(client, .put, "/api/queue/\(id)/vote", body)
            #expect(reply.status == .badRequest)
            #expect(reply.error != nil)
        }
    }

    @Test func voteOnAnUnknownEntryIsNotFound() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let reply = try await Guest().call(client, .put, "/api/queue/999/vote", "{\"vote\": 1}")
            #expect(reply.status == .notFound)
            let bad = try await Guest().call(client, .put, "/api/queue/abc/vote", "{\"vote\": 1}")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func songVotedDownToTheThresholdLeavesTheQueue() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let id = try await box.request(box.songIDs[0], as: Guest(), client)
            // +1 from the requester; two downvotes make -1, the third -2: out (downvotesToKick 2).
            for index in 0..<3 {
                let reply = try await Guest().call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": -1}")
                #expect(try reply.decode(VoteReply.self).kicked == (index == 2))
            }
            #expect(try await box.store.queue().isEmpty)
        }
    }

    @Test func currentSongVotedDownIsSkippedByPlay() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            _ = try await box.request(box.songIDs[0], as: Guest(), client)
            let current = try #require(try box.store.startNextSong())
            _ = box.drainCommands()
            for _ in 0..<3 {
                _ = try await Guest().call(client, .put, "/api/queue/\(current.entryID)/vote", "{\"vote\": -1}")
            }
        }
        let commands = box.drainCommands()
        #expect(commands.map(\.kind) == [.skip])
        let playID = try #require(try box.store.currentSong()).playID
        #expect(commands.first.map { Int64($0.value) } == playID)
    }

    @Test func eleventhVoteInThirtySecondsIsTooManyWithRetryAfter() async throws {
        let box = try WebTestBox()
        let voter = Guest()
        try await app(box).test(.router) { client in
            let id = try await box.request(box.songIDs[0], as: Guest(), client)
            for index in 0..<10 {
                let vote = index % 2 == 0 ? 1 : 0
                let reply = try await voter.call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": \(vote)}")
                #expect(reply.status == .ok)
            }
            let refused = try await voter.call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": 1}")
            #expect(refused.status == .tooManyRequests)
            let retryAfter = Int(refused.headers[.retryAfter] ?? "") ?? 0
            #expect(retryAfter >= 1)
            #expect(refused.error?.contains("too often") == true)
            // Somebody else still votes.
            #expect(try await Guest().call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": 1}").status == .ok)
        }
    }

    @Test(arguments: [
        (Interactivity.fullControl, 1, HTTPResponse.Status.forbidden),
        (.noControl, 1, .forbidden),
        (.upvotesOnly, -1, .forbidden),
        (.upvotesOnly, 1, .ok),
        (.upAndDown, -1, .ok),
    ])
    func votingFollowsTheInteractivityLevel(
        level: Interactivity, vote: Int, expected: HTTPResponse.Status
    )
        async throws
    {
        let box = try WebTestBox()
        try await box.setInteractivity(level)
        try await app(box).test(.router) { client in
            let id = try await box.request(box.songIDs[0], as: Guest(), client)
            let reply = try await Guest().call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": \(vote)}")
            #expect(reply.status == expected)
            if expected == .forbidden { #expect(reply.error?.contains("switched off") == true) }
        }
    }

    @Test func queueOrderFollowsPositionsWithoutVoting() async throws {
        let box = try WebTestBox()
        try await box.setInteractivity(.fullControl)
        try await app(box).test(.router) { client in
            let guest = Guest()
            let ids = [
                try await box.request(box.songIDs[0], as: guest, client),
                try await box.request(box.songIDs[1], as: guest, client),
                try await box.request(box.songIDs[2], as: guest, client),
            ]
            let moved = try await guest.call(client, .post, "/api/queue/\(ids[2])/prioritize")
            #expect(moved.status == .ok)
            #expect(try moved.decode([QueueEntry].self).map(\.id) == [ids[2], ids[0], ids[1]])
            let reordered = try await guest.call(
                client, .post, "/api/queue/reorder", "{\"id\": \(ids[2]), \"after\": \(ids[0]), \"before\": \(ids[1])}")
            #expect(try reordered.decode([QueueEntry].self).map(\.id) == [ids[0], ids[2], ids[1]])
            let stale = try await guest.call(
                client, .post, "/api/queue/reorder", "{\"id\": \(ids[1]), \"after\": \(ids[2]), \"before\": \(ids[0])}")
            #expect(stale.status == .conflict)
            #expect(stale.error?.contains("reload") == true)
            #expect(try await guest.call(client, .delete, "/api/queue/\(ids[0])").status == .noContent)
            let queue = try await box.store.queue()
            #expect(queue.map(\.id) == [ids[2], ids[1]])
            #expect(queue.map(\.position) == [1, 2])
            #expect(try await guest.call(client, .delete, "/api/queue/\(ids[0])").status == .notFound)
        }
    }
}
