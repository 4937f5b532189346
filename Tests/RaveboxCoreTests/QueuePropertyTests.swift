import PropertyBased
import RaveboxTestSupport
import Testing

@testable import RaveboxCore

/// Random sequences of request / vote / remove / reorder / prioritize / dequeue / shuffle-all, checked
/// after every step against a model kept independently of the rules.
@Suite struct QueuePropertyTests {
    /// A party: the queue under test plus the model's own bookkeeping.
    struct Party {
        var settings = BoxSettings()
        var queue = SongQueue()
        var ballots: [Int64: Ballots] = [:]
        /// Entry ids that should be queued, kept by the model, not read back from `queue`.
        var live = Set<Int64>()
        var plays: [String: Int] = [:]
        var currentSongID: Int64?
        var nextID: Int64 = 1
        var clock = 1_000.0
        var generator: SeededGenerator
        let activeGuests = 5

        var threshold: KickThreshold { KickThreshold(settings: settings, activeGuests: activeGuests) }

        mutating func apply(_ step: RandomStep) throws {
            clock += 1
            let items = queue.items
            let pick = items.isEmpty ? nil : items[step.a % items.count]
            switch step.kind {
            case 0, 1, 2:
                try request(songID: Int64(step.a % 10 + 1), requester: "g\(step.b % 4)")
            case 3, 4:
                guard let pick, let vote = Vote(rawValue: step.b % 3 - 1) else { return }
                try cast(vote, on: pick.id, by: "v\(step.c % 6)")
            case 5:
                guard let pick else {
                    #expect(throws: RuleError.self) { try queue.remove(id: 999) }
                    return
                }
                try queue.remove(id: pick.id)
                live.remove(pick.id)
            case 6:
                guard let pick else { return }
                var others = queue.items.map(\.id)
                others.removeAll { $0 == pick.id }
                let slot = step.b % (others.count + 1)
                try queue.reorder(
                    id: pick.id, after: slot > 0 ? others[slot - 1] : nil,
                    before: slot < others.count ? others[slot] : nil)
                #expect(queue.items[slot].id == pick.id, "the song lands where the client dropped it")
            case 7:
                guard let pick else { return }
                let before = queue
                let after = step.b % 3 == 0 ? nil : Int64(step.b % Int(nextID + 1))
                let next = step.c % 3 == 0 ? nil : Int64(step.c % Int(nextID + 1))
                do {
                    try queue.reorder(id: pick.id, after: after, before: next)
                } catch {
                    #expect(queue == before, "a refused reorder changes nothing")
                    #expect(error.category == .conflict || error.category == .badRequest)
                }
            case 8:
                guard let pick else { return }
                try queue.prioritize(id: pick.id)
                #expect(queue.items.first?.id == pick.id)
            case 9:
                let expected = Self.specOrder(queue.items, settings: settings, plays: plays).first
                let shuffle = step.b % 2 == 0
                guard
                    let played = queue.dequeueNext(
                        interactivity: settings.interactivity, fairness: settings.fairness, playsLastHour: plays,
                        shuffle: shuffle, using: &generator)
                else {
                    #expect(items.isEmpty)
                    return
                }
                if !(shuffle && settings.interactivity.honoursShuffle) {
                    #expect(played.id == expected, "the next song is the first of the play order")
                }
                #expect(live.remove(played.id) != nil)
                currentSongID = played.songID
                if let requester = played.requester { plays[requester, default: 0] += 1 }
            case 10:
                queue.shuffleAll(using: &generator)
            case 11:
                // The box adds a song (repeat or autoplay): no requester, no votes, always at the end.
                guard
                    let addition = PlaybackModes(repeat: true).repeatAddition(
                        songID: Int64(40 + step.a % 10), outcome: .finished, votedOut: false, now: clock)
                else { return }
                ballots[nextID] = addition.initialBallots
                queue.enqueue([addition.item(id: nextID)], first: false)
                live.insert(nextID)
                #expect(queue.items.last?.id == nextID)
                nextID += 1
            default:
                // A three-song folder request: each song is decided on its own, the ones that may be queued
                // go in together.
                let requester = "g\(step.b % 4)"
                var newItems: [QueueItem] = []
                for offset in 0..<3 {
                    let songID = Int64(20 + (step.a + offset * 7) % 30)
                    let decision = try? RequestDecision.decide(
                        song: Song(id: songID, path: "", title: "Song", artist: "Artist", album: "", duration: 1),
                        queue: queue.items, currentSongID: currentSongID,
                        requesterQueuedCount: queue.count(requestedBy: requester), requestedBefore: false,
                        lastPlayed: nil, now: clock, settings: settings)
                    guard decision == .enqueue, !newItems.contains(where: { $0.songID == songID }) else { continue }
                    let addition = QueueAddition(
                        songID: songID, requester: requester, manuallyRequested: false, requestedAt: clock)
                    ballots[nextID] = addition.initialBallots
                    newItems.append(addition.item(id: nextID))
                    nextID += 1
                }
                queue.enqueue(newItems, first: settings.enqueueFirst)
                live.formUnion(newItems.map(\.id))
                let ids = newItems.map(\.id)
                let placed = queue.items.map(\.id).filter(ids.contains)
                #expect(placed == ids, "a multi-song request keeps its order")
                let end = settings.enqueueFirst ? queue.items.prefix(ids.count) : queue.items.suffix(ids.count)
                #expect(end.map(\.id) == ids)
            }
        }

        mutating func request(songID: Int64, requester: String) throws {
            let decision: RequestDecision
            do {
                decision = try RequestDecision.decide(
                    song: Song(id: songID, path: "", title: "Song \(songID)", artist: "Artist", album: "", duration: 1),
                    queue: queue.items, currentSongID: currentSongID,
                    requesterQueuedCount: queue.count(requestedBy: requester), requestedBefore: false, lastPlayed: nil,
                    now: clock, settings: settings)
            } catch {
                #expect(!settings.interactivity.acceptsVotes, "only duplicates where nobody votes are refused")
                return
            }
            switch decision {
            case .enqueue:
                #expect(queue.items(songID: songID).isEmpty, "never a duplicate")
                let addition = QueueAddition(
                    songID: songID, requester: requester, manuallyRequested: true, requestedAt: clock)
                ballots[nextID] = addition.initialBallots
                queue.enqueue([addition.item(id: nextID)], first: settings.enqueueFirst)
                live.insert(nextID)
                nextID += 1
            case .upvoteQueued(let entryID, _):
                #expect(queue.item(id: entryID)?.songID == songID)
                try cast(.up, on: entryID, by: requester)
            case .upvoteCurrent:
                #expect(currentSongID == songID)
            }
        }

        mutating func cast(_ vote: Vote, on id: Int64, by voter: String) throws {
            guard PartyAction.vote(vote).isAllowed(for: .guest, at: settings.interactivity) else { return }
            ballots[id, default: Ballots()].cast(vote, by: voter)
            let net = ballots[id]!.net
            try queue.setVotes(net, of: id)
            if threshold.outcome(netVotes: net, isCurrentSong: false) == .leavesQueue {
                try queue.remove(id: id)
                live.remove(id)
            }
        }

        func checkInvariants() {
            #expect(queue.items.map(\.position) == Array(1..<(queue.count + 1)), "positions are 1...n")
            #expect(queue.items.map(\.id).count == live.count, "nothing duplicated")
            #expect(Set(queue.items.map(\.id)) == live, "nothing lost")
            for item in queue.items {
                #expect(item.votes == ballots[item.id]?.net, "votes are the sum of the ballots")
                if settings.interactivity.acceptsVotes {
                    #expect(item.votes > -threshold.votes, "nothing at the threshold stays queued")
                }
            }
            let order = queue.playOrder(
                interactivity: settings.interactivity, fairness: settings.fairness, playsLastHour: plays)
            #expect(order.map(\.id) == Self.specOrder(queue.items, settings: settings, plays: plays))
        }

        /// The ordering rule restated from the issue, written differently from `QueueOrder`: group by votes,
        /// and under round robin take turns by counting plays.
        static func specOrder(_ items: [QueueItem], settings: BoxSettings, plays: [String: Int]) -> [Int64] {
            let byPosition = items.sorted { $0.position < $1.position }
            guard settings.interactivity == .upAndDown || settings.interactivity == .upvotesOnly else {
                return byPosition.map(\.id)
            }
            guard settings.fairness == .roundRobin else {
                return Set(items.map(\.votes)).sorted(by: >).flatMap { votes in
                    byPosition.filter { $0.votes == votes }.map(\.id)
                }
            }
            var rest = byPosition
            var turns = plays
            var order: [Int64] = []
            while let top = rest.map(\.votes).max() {
                let tied = rest.filter { $0.votes == top }
                let requested = tied.filter { $0.requester != nil }
                let fewest = requested.map { turns[$0.requester!, default: 0] }.min()
                let chosen =
                    requested.first { turns[$0.requester!, default: 0] == fewest } ?? tied.first!
                order.append(chosen.id)
                rest.removeAll { $0.id == chosen.id }
                if let requester = chosen.requester { turns[requester, default: 0] += 1 }
            }
            return order
        }
    }

    @Test func randomPartiesKeepPositionsEntriesAndOrder() async {
        await propertyCheck(
            count: 300, input: Gen.int(in: 0...3), Gen.bool, Gen.bool, Gen.int(in: 0...Int(UInt16.max)),
            RandomStep.sequences(kinds: 0...12, length: 1...80)
        ) { level, roundRobin, enqueueFirst, seed, steps in
            var party = Party(generator: SeededGenerator(seed: UInt64(seed)))
            party.settings.interactivity = Interactivity.allCases[level]
            party.settings.fairness = roundRobin ? .roundRobin : .off
            party.settings.enqueueFirst = enqueueFirst
            for step in steps {
                do {
                    try party.apply(step)
                } catch {
                    Issue.record("step \(step) threw \(error)")
                }
                party.checkInvariants()
            }
        }
    }

    @Test func settingsSurviveTheStoreRoundTrip() async {
        let values = zip(
            Gen.int(in: 0...1_000_000), Gen.double(in: 0...1), Gen.character(in: " "..."~").string(of: 0...30)
        )
        .array(of: SettingsSchema.descriptors.count)
        await propertyCheck(input: values) { draws in
            var patch: [String: SettingValue] = [:]
            for (descriptor, draw) in zip(SettingsSchema.descriptors, draws) {
                let (number, fraction, text) = draw
                switch descriptor.kind {
                case .bool: patch[descriptor.key] = .bool(number % 2 == 0)
                case .integer(let range):
                    patch[descriptor.key] = .int(range.lowerBound + number % (range.upperBound - range.lowerBound + 1))
                case .number(let range):
                    patch[descriptor.key] = .double(range.lowerBound + fraction * (range.upperBound - range.lowerBound))
                case .choice(let choices): patch[descriptor.key] = .string(choices[number % choices.count])
                case .text: patch[descriptor.key] = .string(text)
                }
            }
            do {
                let settings = try SettingsSchema.apply(patch, to: BoxSettings())
                #expect(settings.values == patch)
                #expect(try BoxSettings(storedStrings: settings.storedStrings) == settings)
            } catch {
                Issue.record("valid patch refused: \(error)")
            }
        }
    }
}
