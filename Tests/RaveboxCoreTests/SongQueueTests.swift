import Testing

@testable import RaveboxCore

@Suite struct SongQueueTests {
    @Test func storedRowsWithGapsAreRenumberedWithoutGaps() {
        let queue = SongQueue([queued(7, position: 9), queued(3, position: 2), queued(5, position: 5)])
        #expect(queue.ids == [3, 5, 7])
        #expect(queue.positions == [1, 2, 3])
    }

    @Test func repeatedIdKeepsItsFirstRow() {
        let queue = SongQueue([queued(1, position: 1), queued(2, position: 2), queued(1, position: 3)])
        #expect(queue.ids == [1, 2])
    }

    // MARK: Raveberry's queue scenarios (tests/client/test_queue.py)

    @Test func removingASongShortensTheQueueByOne() throws {
        var queue = queue([1, 2, 3])
        let removed = try queue.remove(id: 2)
        #expect(removed.id == 2)
        #expect(queue.ids == [1, 3])
        #expect(queue.positions == [1, 2])
        #expect(throws: RuleError.notFound("That song is no longer in the queue.")) { try queue.remove(id: 2) }
        #expect(queue.count == 2, "removing the same song again changes nothing")
        try queue.remove(id: 1)
        #expect(queue.ids == [3])
        #expect(queue.positions == [1])
    }

    @Test func prioritizeMovesTheSongToPositionOne() throws {
        var queue = queue([1, 2, 3])
        try queue.prioritize(id: 2)
        #expect(queue.ids == [2, 1, 3])
        try queue.prioritize(id: 2)
        #expect(queue.ids == [2, 1, 3], "prioritizing the first song again changes nothing")
        try queue.prioritize(id: 3)
        #expect(queue.ids == [3, 2, 1])
        #expect(queue.positions == [1, 2, 3])
        #expect(throws: RuleError.self) { try queue.prioritize(id: 99) }
    }

    @Test func reorderWithBothOneAndNoNeighboursAsInRaveberry() throws {
        var queue = queue([1, 2, 3])
        try queue.reorder(id: 1, after: 2, before: 3)
        #expect(queue.ids == [2, 1, 3], "both neighbours: between them")
        try queue.reorder(id: 3, after: nil, before: 2)
        #expect(queue.ids == [3, 2, 1], "only the next neighbour: to the top")
        try queue.reorder(id: 3, after: 1, before: nil)
        #expect(queue.ids == [2, 1, 3], "only the previous neighbour: to the end")
        #expect(queue.positions == [1, 2, 3])
    }

    @Test func removeAllEmptiesTheQueue() {
        var queue = queue([1, 2, 3])
        #expect(queue.removeAll().map(\.id) == [1, 2, 3])
        #expect(queue.isEmpty)
    }

    // MARK: Reorder validation

    struct ReorderCase: Sendable, CustomTestStringConvertible {
        var start: [Int64]
        var id: Int64
        var after: Int64?
        var before: Int64?
        /// The order afterwards, or `nil` for "The queue changed, reload."
        var result: [Int64]?

        var testDescription: String {
            "\(start): \(id) after \(after.map(String.init) ?? "–") before \(before.map(String.init) ?? "–")"
        }
    }

    static let reorders: [ReorderCase] = [
        ReorderCase(start: [1], id: 1, after: nil, before: nil, result: [1]),
        ReorderCase(start: [1, 2], id: 1, after: nil, before: nil, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: nil, before: 1, result: [4, 1, 2, 3]),
        ReorderCase(start: [1, 2, 3, 4], id: 1, after: nil, before: 2, result: [1, 2, 3, 4]),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: nil, before: 2, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 1, after: 4, before: nil, result: [2, 3, 4, 1]),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 3, before: nil, result: [1, 2, 3, 4]),
        ReorderCase(start: [1, 2, 3, 4], id: 1, after: 3, before: nil, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 1, after: 2, before: 3, result: [2, 1, 3, 4]),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 1, before: 2, result: [1, 4, 2, 3]),
        ReorderCase(start: [1, 2, 3, 4], id: 2, after: 1, before: 3, result: [1, 2, 3, 4]),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 2, before: 1, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 1, before: 3, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 1, before: 99, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 99, before: nil, result: nil),
        ReorderCase(start: [1, 2, 3, 4], id: 4, after: 3, before: 4, result: nil),
    ]

    @Test(arguments: reorders)
    func reorderChecksTheNeighboursTheClientSaw(_ row: ReorderCase) {
        var queue = queue(row.start)
        do {
            try queue.reorder(id: row.id, after: row.after, before: row.before)
            #expect(queue.ids == row.result)
            #expect(queue.positions == Array(1...row.start.count))
        } catch {
            if row.result == nil, row.after != row.id, row.before != row.id {
                #expect(error == .conflict("The queue changed, reload."))
            } else if row.result == nil {
                #expect(error.category == .badRequest)
            } else {
                Issue.record("refused: \(error)")
            }
            #expect(queue.ids == row.start, "a refused reorder changes nothing")
        }
    }

    @Test func reorderOfASongNoLongerQueuedIsNotFound() {
        var queue = queue([1, 2])
        #expect(throws: RuleError.notFound("That song is no longer in the queue.")) {
            try queue.reorder(id: 9, after: 1, before: 2)
        }
    }

    // MARK: Enqueue

    @Test func newSongsGoToTheEndInRequestOrder() {
        var queue = queue([1, 2])
        queue.enqueue([queued(10), queued(11), queued(12)], first: false)
        #expect(queue.ids == [1, 2, 10, 11, 12])
        #expect(queue.positions == [1, 2, 3, 4, 5])
    }

    @Test func enqueueFirstPutsAMultiSongRequestOnTopInItsOwnOrder() {
        var queue = queue([1, 2])
        queue.enqueue([queued(10), queued(11), queued(12)], first: true)
        #expect(queue.ids == [10, 11, 12, 1, 2], "Raveberry would have given 12, 11, 10")
        #expect(queue.positions == [1, 2, 3, 4, 5])
    }

    @Test func enqueueIgnoresAnIdAlreadyQueued() {
        var queue = queue([1, 2])
        queue.enqueue([queued(2), queued(3), queued(3)], first: false)
        #expect(queue.ids == [1, 2, 3])
    }

    @Test func additionStartsWithTheRequestersVoteOnlyWhenManual() {
        let manual = QueueAddition(songID: 5, requester: "ann", manuallyRequested: true, requestedAt: 10)
        let fromFolder = QueueAddition(songID: 6, requester: "ann", manuallyRequested: false, requestedAt: 10)
        let byTheBox = QueueAddition(songID: 7, requester: nil, manuallyRequested: false, requestedAt: 10)
        #expect(manual.item(id: 1).votes == 1)
        #expect(manual.initialBallots.vote(of: "ann") == .up)
        #expect(fromFolder.item(id: 2).votes == 0)
        #expect(fromFolder.item(id: 2).requester == "ann")
        #expect(byTheBox.item(id: 3).votes == 0)
        #expect(manual.item(id: 1).songID == 5)
    }

    // MARK: Shuffle all, votes, changes

    @Test func shuffleAllPermutesWithTheInjectedGenerator() {
        var first = queue(Array(1...20))
        var second = first
        var generatorA = SeededGenerator(seed: 42)
        var generatorB = SeededGenerator(seed: 42)
        first.shuffleAll(using: &generatorA)
        second.shuffleAll(using: &generatorB)
        #expect(first == second, "same seed, same order")
        #expect(first.ids != Array(1...20))
        #expect(first.ids.sorted() == Array(1...20))
        #expect(first.positions == Array(1...20))
    }

    @Test func setVotesChangesVotesNotPositions() throws {
        var queue = queue([1, 2])
        try queue.setVotes(5, of: 2)
        #expect(queue.item(id: 2)?.votes == 5)
        #expect(queue.ids == [1, 2])
        #expect(throws: RuleError.self) { try queue.setVotes(1, of: 3) }
    }

    @Test func positionChangesListOnlyTheRowsToUpdate() throws {
        var queue = queue([1, 2, 3, 4])
        let before = queue
        try queue.reorder(id: 3, after: 1, before: 2)
        #expect(queue.positionChanges(from: before) == [3: 2, 2: 3])
        let afterReorder = queue
        queue.enqueue([queued(9)], first: false)
        #expect(queue.positionChanges(from: afterReorder) == [9: 5])
    }

    @Test func countsASingleRequestersWaitingSongs() {
        let queue = SongQueue([
            queued(1, requester: "ann"), queued(2, requester: "bob"), queued(3, requester: "ann"), queued(4),
        ])
        #expect(queue.count(requestedBy: "ann") == 2)
        #expect(queue.count(requestedBy: "eve") == 0)
        #expect(queue.items(songID: 102).map(\.id) == [2])
    }
}
