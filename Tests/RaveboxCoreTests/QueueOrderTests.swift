import Testing

@testable import RaveboxCore

@Suite struct QueueOrderTests {
    /// Positions 1...4 with votes 0, 2, 2, −1.
    static let items = [queued(1, votes: 0), queued(2, votes: 2), queued(3, votes: 2), queued(4, votes: -1)]

    @Test(arguments: [
        (Interactivity.fullControl, [Int64(1), 2, 3, 4]),
        (.noControl, [1, 2, 3, 4]),
        (.upAndDown, [2, 3, 1, 4]),
        (.upvotesOnly, [2, 3, 1, 4]),
    ])
    func playOrderFollowsTheInteractivity(interactivity: Interactivity, expected: [Int64]) {
        let order = QueueOrder.playOrder(Self.items.shuffled(), interactivity: interactivity, fairness: .off)
        #expect(order.map(\.id) == expected)
        var generator = SeededGenerator(seed: 3)
        let next = QueueOrder.next(
            in: Self.items.reversed(), interactivity: interactivity, fairness: .off, shuffle: false, using: &generator)
        #expect(next?.id == expected.first)
    }

    @Test(arguments: [Interactivity.fullControl, .noControl])
    func positionalLevelsIgnoreFairness(interactivity: Interactivity) {
        let items = [queued(1, requester: "ann"), queued(2, requester: "ann"), queued(3, requester: "bob")]
        let order = QueueOrder.playOrder(items, interactivity: interactivity, fairness: .roundRobin)
        #expect(order.map(\.id) == [1, 2, 3])
    }

    struct FairnessCase: Sendable, CustomTestStringConvertible {
        var name: String
        var items: [QueueItem]
        var plays: [String: Int]
        var expected: [Int64]
        var testDescription: String { name }
    }

    static let fairnessCases: [FairnessCase] = [
        FairnessCase(
            name: "one guest's ten songs do not block another's",
            items: [
                queued(1, votes: 1, requester: "ann"), queued(2, votes: 1, requester: "ann"),
                queued(3, votes: 1, requester: "ann"), queued(4, votes: 1, requester: "bob"),
            ],
            plays: [:], expected: [1, 4, 2, 3]),
        FairnessCase(
            name: "the requester with fewer plays in the last hour goes first",
            items: [queued(1, votes: 1, requester: "ann"), queued(2, votes: 1, requester: "bob")],
            plays: ["ann": 2, "bob": 1], expected: [2, 1]),
        FairnessCase(
            name: "votes still come first",
            items: [queued(1, votes: 1, requester: "ann"), queued(2, votes: 3, requester: "ann")],
            plays: ["ann": 5], expected: [2, 1]),
        FairnessCase(
            name: "turns carry over from higher-voted songs",
            items: [
                queued(1, votes: 3, requester: "ann"), queued(2, votes: 1, requester: "ann"),
                queued(3, votes: 1, requester: "bob"),
            ],
            plays: [:], expected: [1, 3, 2]),
        FairnessCase(
            name: "songs the box added come after guests' songs of equal votes",
            items: [queued(1, votes: 0), queued(2, votes: 0, requester: "ann"), queued(3, votes: 1)],
            plays: ["ann": 9], expected: [3, 2, 1]),
        FairnessCase(
            name: "equal turns fall back to position",
            items: [
                queued(1, votes: 0, requester: "bob"), queued(2, votes: 0, requester: "ann"),
                queued(3, votes: 0, requester: "cat"),
            ],
            plays: ["ann": 1, "bob": 1, "cat": 1], expected: [1, 2, 3]),
        FairnessCase(
            name: "three requesters take turns",
            items: [
                queued(1, requester: "a"), queued(2, requester: "a"), queued(3, requester: "b"),
                queued(4, requester: "b"), queued(5, requester: "c"),
            ],
            plays: [:], expected: [1, 3, 5, 2, 4]),
        FairnessCase(
            name: "a requester who already had a song waits for the others' first turn",
            items: [
                queued(1, requester: "a"), queued(2, requester: "a"), queued(3, requester: "b"),
                queued(4, requester: "b"), queued(5, requester: "c"),
            ],
            plays: ["a": 1], expected: [3, 5, 1, 4, 2]),
    ]

    @Test(arguments: fairnessCases)
    func roundRobinSettlesEqualVotesByTurns(_ row: FairnessCase) {
        for interactivity in [Interactivity.upAndDown, .upvotesOnly] {
            let order = QueueOrder.playOrder(
                row.items.reversed(), interactivity: interactivity, fairness: .roundRobin, playsLastHour: row.plays)
            #expect(order.map(\.id) == row.expected)
            var generator = SeededGenerator(seed: 1)
            let next = QueueOrder.next(
                in: row.items, interactivity: interactivity, fairness: .roundRobin, playsLastHour: row.plays,
                shuffle: true, using: &generator)
            #expect(next?.id == row.expected.first, "shuffle is ignored in voting levels")
        }
    }

    @Test func withFairnessOffEqualVotesPlayInPositionOrder() {
        let items = [queued(1, requester: "ann"), queued(2, requester: "ann"), queued(3, requester: "bob")]
        let order = QueueOrder.playOrder(items, interactivity: .upAndDown, fairness: .off, playsLastHour: ["ann": 9])
        #expect(order.map(\.id) == [1, 2, 3])
    }

    @Test(arguments: [Interactivity.fullControl, .noControl])
    func shufflePicksARandomSongInPositionalLevels(interactivity: Interactivity) {
        let items = (1...10).map { queued(Int64($0)) }
        var generator = SeededGenerator(seed: 7)
        var picked = Set<Int64>()
        for _ in 0..<200 {
            let next = QueueOrder.next(
                in: items, interactivity: interactivity, fairness: .off, shuffle: true, using: &generator)
            picked.insert(next!.id)
        }
        #expect(picked.count == 10, "every song can come next")
        var generatorA = SeededGenerator(seed: 11)
        var generatorB = SeededGenerator(seed: 11)
        let a = QueueOrder.next(
            in: items, interactivity: interactivity, fairness: .off, shuffle: true, using: &generatorA)
        let b = QueueOrder.next(
            in: items.reversed(), interactivity: interactivity, fairness: .off, shuffle: true, using: &generatorB)
        #expect(a == b, "the pick depends on the seed, not on the input's order")
    }

    @Test func emptyQueueHasNoNextSong() {
        var generator = SeededGenerator(seed: 1)
        for interactivity in Interactivity.allCases {
            #expect(
                QueueOrder.next(
                    in: [], interactivity: interactivity, fairness: .roundRobin, shuffle: true, using: &generator)
                    == nil)
        }
    }

    @Test func dequeueNextRemovesThePlayingSongAndClosesTheGap() {
        var queue = SongQueue([queued(1, votes: 0), queued(2, votes: 3), queued(3, votes: 1)])
        var generator = SeededGenerator(seed: 1)
        let next = queue.dequeueNext(interactivity: .upAndDown, fairness: .off, shuffle: false, using: &generator)
        #expect(next?.id == 2)
        #expect(queue.ids == [1, 3])
        #expect(queue.positions == [1, 2])
    }
}
