import Foundation
import GRDB
import PropertyBased
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxStore

/// Model-based: random parties run through a real `Store` (SQLite in a temporary folder) and, side by side,
/// through a model made of Core's rule types alone (``Ballots``, ``KickThreshold``, ``SongQueue``,
/// ``QueueOrder``, ``RequestDecision``, ``QueueAddition``). After every step both must agree on each
/// request's outcome, net votes, every voter's vote, who was kicked, positions 1…n, the current song, the
/// plays fairness counts and the play order.
///
/// The store keeps net votes as an incremental sum in SQL (O(log n) per vote) and feeds the rules from its
/// tables; this test is what proves the SQL and the rules say the same.
@Suite struct StoreModelPropertyTests {
    /// The settings a draw of bits stands for; 0 is the defaults, so failures shrink towards them.
    static func settings(_ bits: Int) -> BoxSettings {
        var settings = BoxSettings()
        settings.interactivity = [.upAndDown, .upvotesOnly, .fullControl, .noControl][bits & 3]
        settings.fairness = bits & 4 != 0 ? .roundRobin : .off
        settings.enqueueFirst = bits & 8 != 0
        settings.downvotesToKick = 1 + (bits >> 4) % 3
        settings.downvoteShareToKick = bits & 64 != 0 ? 0.8 : 0
        settings.maxQueueLength = bits & 128 != 0 ? 5 : 0
        settings.maxSongsPerGuest = bits & 256 != 0 ? 2 : 0
        settings.songCooldown = bits & 512 != 0 ? 1 : 0
        settings.newMusicOnly = bits & 1024 != 0
        settings.forbiddenKeywords = bits & 2048 != 0 ? "3" : ""  // "Song 3" can't be requested
        return settings
    }

    static let voters = ["g0", "g1", "g2", "g3", "v0", "v1", "v2"]

    /// The party as Core's rules alone say it is.
    struct Model {
        struct Playing {
            var entryID: Int64
            var songID: Int64
            var ballots: Ballots
        }

        let settings: BoxSettings
        var queue = SongQueue()
        var ballots: [Int64: Ballots] = [:]
        var current: Playing?
        /// Songs in the request log, and when each song last started.
        var requested = Set<Int64>()
        var lastPlayed: [Int64: Double] = [:]
        /// Songs played per requester (all within the last hour: a run takes seconds).
        var plays: [String: Int] = [:]
        /// Voters with a logged request (all within the last 10 minutes).
        var guests = Set<String>()

        var threshold: KickThreshold { KickThreshold(settings: settings, activeGuests: guests.count) }

        /// Sets a vote and applies the kick rule: what the store's ``VoteResult`` must say.
        mutating func cast(_ vote: Vote, on id: Int64, by voter: String) -> (votes: Int, kicked: Bool, current: Bool)? {
            if var playing = current, playing.entryID == id {
                playing.ballots.cast(vote, by: voter)
                current = playing
                let outcome = threshold.outcome(netVotes: playing.ballots.net, isCurrentSong: true)
                return (playing.ballots.net, outcome == .skipsCurrentSong, true)
            }
            guard var entry = ballots[id] else { return nil }
            entry.cast(vote, by: voter)
            ballots[id] = entry
            try? queue.setVotes(entry.net, of: id)
            let outcome = threshold.outcome(netVotes: entry.net, isCurrentSong: false)
            if outcome == .leavesQueue {
                _ = try? queue.remove(id: id)
                ballots[id] = nil
            }
            return (entry.net, outcome == .leavesQueue, false)
        }

        mutating func enqueue(_ addition: QueueAddition, id: Int64, first: Bool) {
            enqueue([(addition, id)], first: first)
        }

        /// Several songs in one ``SongQueue/enqueue(_:first:)`` call, as a multi-song request queues them.
        mutating func enqueue(_ additions: [(QueueAddition, Int64)], first: Bool) {
            for (addition, id) in additions { ballots[id] = addition.initialBallots }
            queue.enqueue(additions.map { addition, id in addition.item(id: id) }, first: first)
        }

        /// Each voter's votes on the songs still queued or playing (what ``Store/votes(of:)`` answers).
        func votes(of voter: String) -> [Int64: Int] {
            var result: [Int64: Int] = [:]
            var all = ballots
            if let current { all[current.entryID] = current.ballots }
            for (id, ballots) in all where ballots.vote(of: voter) != .none {
                result[id] = ballots.vote(of: voter).rawValue
            }
            return result
        }
    }

    /// The real store and the model, stepped together.
    struct Party {
        let store: Store
        let songs: [Song]
        var model: Model

        var now: Double { Date().timeIntervalSince1970 }

        mutating func apply(_ step: RandomStep) async throws {
            let items = model.queue.items
            switch step.kind {
            case 0, 1, 2:
                try await request(songs[step.a % songs.count], voter: Self.voter(step.b % 4), mod: step.c % 5 == 0)
            case 3, 4, 5:
                let targets = items.map(\.id) + (model.current.map { [$0.entryID] } ?? [])
                let id = targets.isEmpty ? 9_999 : targets[step.a % targets.count]
                try vote(Vote.allCases[step.b % 3], on: id, by: StoreModelPropertyTests.voters[step.c % 7])
            case 6:
                guard let pick = items.isEmpty ? nil : items[step.a % items.count] else {
                    await #expect(throws: RuleError.self) { try await store.mutateQueue { try $0.remove(id: 9_999) } }
                    return
                }
                try await store.mutateQueue { try $0.remove(id: pick.id) }
                try model.queue.remove(id: pick.id)
                model.ballots[pick.id] = nil
            case 7, 8:
                try playNext(endingWith: step.b % 2 == 0 ? .finished : .skipped)
            case 9:
                // A mod or a guest with the right queues a playlist: each song by the request rules, no votes.
                let playlist = [step.a, step.b, step.c].map { songs[$0 % songs.count] }
                let voter = Self.voter(step.a % 4)
                let privilege: Privilege = step.c % 2 == 0 ? .mod : .guest
                let now = now
                let expected = RequestDecision.decide(
                    songs: playlist, queue: items, currentSongID: model.current?.songID, requester: voter,
                    requestedBefore: { model.requested.contains($0.id) }, lastPlayed: { model.lastPlayed[$0.id] },
                    now: now, settings: model.settings, privilege: privilege)
                let outcome = try await store.enqueuePlaylist(
                    songIDs: playlist.map(\.id), requestedBy: voter, privilege: privilege, settings: model.settings,
                    now: now)
                #expect(outcome.refusals == expected.refusals, "refused alike")
                #expect(Set(outcome.entries.map(\.songID)) == Set(expected.accepted.map(\.id)))
                let byOrder = outcome.entries.sorted { $0.id < $1.id }
                model.enqueue(
                    zip(expected.accepted, byOrder).map { song, entry in
                        (
                            QueueAddition(
                                songID: song.id, requester: voter, manuallyRequested: false, requestedAt: now), entry.id
                        )
                    }, first: model.settings.enqueueFirst)
            default:
                // The box adds a song (repeat, autoplay): no requester, no votes, at the end.
                let addition = QueueAddition(
                    songID: songs[step.a % songs.count].id, requester: nil, manuallyRequested: false,
                    requestedAt: now)
                model.enqueue(addition, id: try store.add(addition), first: false)
            }
        }

        static func voter(_ number: Int) -> String { "g\(number)" }

        /// The threshold the store computes for the web and the engine must be Core's for the model's party.
        func threshold(now: Double) throws -> KickThreshold {
            let threshold = try store.kickThreshold(settings: model.settings, now: now)
            #expect(threshold == model.threshold, "kick threshold")
            return threshold
        }

        mutating func request(_ song: Song, voter: String, mod: Bool) async throws {
            let now = now
            let privilege: Privilege = mod ? .mod : .guest
            let threshold = try threshold(now: now)
            let expected = Result { () throws(RuleError) in
                try RequestDecision.decide(
                    song: song, queue: model.queue.items, currentSongID: model.current?.songID,
                    requesterQueuedCount: model.queue.count(requestedBy: voter),
                    requestedBefore: model.requested.contains(song.id), lastPlayed: model.lastPlayed[song.id],
                    now: now, settings: model.settings, privilege: privilege)
            }
            let outcome: RequestOutcome
            do {
                outcome = try await store.request(
                    songID: song.id, session: "session-\(voter)", voter: voter, privilege: privilege,
                    settings: model.settings, now: now, kickThreshold: threshold)
            } catch let error as RuleError {
                #expect(expected == .failure(error), "refused alike")
                return
            }
            model.requested.insert(song.id)
            model.guests.insert(voter)
            switch (try expected.get(), outcome) {
            case (.enqueue, .queued(let entry)):
                let addition = QueueAddition(
                    songID: song.id, requester: voter, manuallyRequested: true, requestedAt: now)
                model.enqueue(addition, id: entry.id, first: model.settings.enqueueFirst)
                #expect(entry.position == model.queue.item(id: entry.id)?.position)
                #expect(entry.votes == model.ballots[entry.id]?.net)
            case (.upvoteQueued(let id, let message), .upvoted(let result, let answer)):
                #expect(answer == message)
                check(result, against: model.cast(.up, on: id, by: voter), entryID: id)
            case (.upvoteCurrent(let message), .upvoted(let result, let answer)):
                #expect(answer == message)
                let id = model.current?.entryID ?? 0
                check(result, against: model.cast(.up, on: id, by: voter), entryID: id)
                if result.kicked { try skip(result) }
            case (let decision, let outcome):
                Issue.record("the rules decided \(decision), the store did \(outcome)")
            }
        }

        mutating func vote(_ vote: Vote, on id: Int64, by voter: String) throws {
            let threshold = try threshold(now: now)
            guard let expected = model.cast(vote, on: id, by: voter) else {
                #expect(throws: StoreError.unknownEntry(id: id)) {
                    try store.vote(entryID: id, voter: voter, vote: vote, kickThreshold: threshold)
                }
                return
            }
            let result = try store.vote(entryID: id, voter: voter, vote: vote, kickThreshold: threshold)
            check(result, against: expected, entryID: id)
            if result.kicked, result.isCurrent { try skip(result) }
        }

        func check(_ result: VoteResult, against expected: (votes: Int, kicked: Bool, current: Bool)?, entryID: Int64) {
            #expect(result.entryID == entryID)
            #expect(result.votes == expected?.votes, "net votes")
            #expect(result.kicked == expected?.kicked, "kicked")
            #expect(result.isCurrent == expected?.current)
        }

        /// The current song voted out: skipped, as the engine does on the web's skip command.
        mutating func skip(_ result: VoteResult) throws {
            let playID = try #require(result.playID)
            try store.endPlay(playID: playID, outcome: .skipped)
            model.current = nil
        }

        /// Ends the current song and starts the next by ``QueueOrder/next``, fed from the store as the engine
        /// feeds it, while the model dequeues by its own bookkeeping.
        mutating func playNext(endingWith outcome: PlayOutcome) throws {
            if let playing = try store.currentSong() {
                try store.endPlay(playID: playing.playID, outcome: outcome)
                model.current = nil
            }
            let now = now
            let plays = try store.playsPerRequester(since: now - QueueOrder.fairnessWindow)
            #expect(plays == model.plays, "the plays fairness counts")
            let (interactivity, fairness) = (model.settings.interactivity, model.settings.fairness)
            let started = try store.startNextSong { items in
                var generator = SystemRandomNumberGenerator()
                return QueueOrder.next(
                    in: items, interactivity: interactivity, fairness: fairness, playsLastHour: plays, shuffle: false,
                    using: &generator)?.id
            }
            var generator = SystemRandomNumberGenerator()
            let next = model.queue.dequeueNext(
                interactivity: interactivity, fairness: fairness, playsLastHour: model.plays, shuffle: false,
                using: &generator)
            #expect(started?.entryID == next?.id, "the same song plays next")
            guard let next else { return }
            model.current = Model.Playing(
                entryID: next.id, songID: next.songID, ballots: model.ballots[next.id] ?? Ballots())
            model.ballots[next.id] = nil
            model.lastPlayed[next.songID] = now
            if let requester = next.requester { model.plays[requester, default: 0] += 1 }
        }

        /// Everything the store says about the party equals the model.
        func checkAgreement() async throws {
            let items = try store.queueItems()
            #expect(items.map(\.position) == Array(1..<(items.count + 1)), "positions are 1...n")
            let view = { (item: QueueItem) in
                "\(item.id) song \(item.songID) at \(item.position): \(item.votes) by \(item.requester ?? "-")"
                    + (item.manuallyRequested ? " manual" : "")
            }
            #expect(items.map(view) == model.queue.items.map(view), "queue")
            let current = try store.currentSong()
            #expect(current?.entryID == model.current?.entryID, "current song")
            #expect(current?.votes == model.current?.ballots.net, "current song's votes")
            for voter in StoreModelPropertyTests.voters {
                #expect(try await store.votes(of: voter) == model.votes(of: voter), "votes of \(voter)")
            }
            let settings = model.settings
            let stored = QueueOrder.playOrder(
                items, interactivity: settings.interactivity, fairness: settings.fairness,
                playsLastHour: try store.playsPerRequester(since: now - QueueOrder.fairnessWindow))
            let modelled = model.queue.playOrder(
                interactivity: settings.interactivity, fairness: settings.fairness, playsLastHour: model.plays)
            #expect(stored.map(\.id) == modelled.map(\.id), "play order")
        }
    }

    @Test func storeAndCoreRulesAgreeAfterEveryStep() async {
        await propertyCheck(
            count: 40, input: Gen.int(in: 0...4095), RandomStep.sequences(kinds: 0...10, length: 1...40)
        ) { bits, steps in
            let temporary = try TemporaryStore()
            defer { temporary.folder.remove() }
            _ = try temporary.addSongs(8)
            let songs = try await temporary.store.pool.read { db in try Song.order(Column("id")).fetchAll(db) }
            var party = Party(store: temporary.store, songs: songs, model: Model(settings: Self.settings(bits)))
            for step in steps {
                do {
                    try await party.apply(step)
                    try await party.checkAgreement()
                } catch {
                    Issue.record("step \(step) threw \(error)")
                }
            }
        }
    }
}
