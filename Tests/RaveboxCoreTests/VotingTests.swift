import Testing

@testable import RaveboxCore

@Suite struct VotingTests {
    @Test(arguments: [(-1, Vote.down), (0, .none), (1, .up)])
    func aVoteIsMinusOneZeroOrPlusOne(value: Int, vote: Vote) throws {
        #expect(try Vote(value: value) == vote)
    }

    @Test(arguments: [-2, 2, 3, -100, Int.max])
    func anyOtherVoteIsABadRequest(value: Int) {
        #expect(throws: RuleError.badRequest("A vote is -1, 0 or 1.")) { try Vote(value: value) }
    }

    @Test func votingTwiceTheSameWayCountsOnce() {
        var ballots = Ballots()
        #expect(ballots.cast(.down, by: "a") == -1)
        #expect(ballots.cast(.down, by: "a") == 0)
        #expect(ballots.net == -1)
    }

    @Test func switchingFromUpToDownMovesNetVotesByTwo() {
        var ballots = Ballots()
        ballots.cast(.up, by: "a")
        #expect(ballots.cast(.down, by: "a") == -2)
        #expect(ballots.net == -1)
        #expect(ballots.cast(.none, by: "a") == 1)
        #expect(ballots.net == 0)
        #expect(ballots.votes.isEmpty)
    }

    @Test func theRequestCountsAsTheRequestersUpvote() {
        var ballots = Ballots(requester: "ann")
        #expect(ballots.net == 1)
        #expect(ballots.vote(of: "ann") == .up)
        ballots.cast(.up, by: "ann")
        #expect(ballots.net == 1, "upvoting one's own request again changes nothing")
        ballots.cast(.down, by: "ann")
        #expect(ballots.net == -1, "the requester may change their mind")
    }

    @Test func netVotesAreTheSumOfAllVoters() {
        var ballots = Ballots(requester: "r")
        for voter in ["a", "b", "c"] { ballots.cast(.up, by: voter) }
        for voter in ["d", "e"] { ballots.cast(.down, by: voter) }
        #expect(ballots.net == 2)
    }

    // MARK: Kick threshold

    @Test(arguments: [
        // downvotesToKick, share, active guests, threshold
        (2, 0.0, 0, 2), (2, 0.0, 500, 2), (5, 0.0, 3, 5), (1, 0.0, 10, 1),
        (2, 0.3, 3, 2), (2, 0.3, 10, 3), (2, 0.3, 100, 30), (2, 0.3, 11, 4),
        (1, 0.1, 5, 2), (10, 0.3, 20, 10), (2, 1.0, 7, 7), (2, 0.5, 0, 2),
    ])
    func kickThresholdIsTheLargestOfAbsoluteShareAndTwo(absolute: Int, share: Double, active: Int, expected: Int) {
        let threshold = KickThreshold(downvotesToKick: absolute, downvoteShareToKick: share, activeGuests: active)
        #expect(threshold.votes == expected)
    }

    @Test func kickThresholdReadsTheSettings() {
        var settings = BoxSettings()
        #expect(KickThreshold(settings: settings, activeGuests: 40).votes == 2)
        settings.downvoteShareToKick = 0.25
        #expect(KickThreshold(settings: settings, activeGuests: 40).votes == 10)
    }

    @Test(arguments: [
        (0, false, KickThreshold.Outcome.stays), (-1, false, .stays), (-2, false, .leavesQueue),
        (-5, false, .leavesQueue), (-1, true, .stays), (-2, true, .skipsCurrentSong), (3, true, .stays),
    ])
    func songAtOrBelowMinusThresholdGoes(net: Int, isCurrent: Bool, outcome: KickThreshold.Outcome) {
        #expect(KickThreshold(votes: 2).outcome(netVotes: net, isCurrentSong: isCurrent) == outcome)
    }

    // MARK: Raveberry's voting scenarios (tests/client/test_queue.py), with one vote per voter

    /// Raveberry's fixture: a local playlist of four songs, one playing, three queued (k1, k2, k3) with 0
    /// votes each (playlist songs carry no requester's upvote).
    struct Party {
        var queue = SongQueue([queued(1), queued(2), queued(3)])
        var ballots: [Int64: Ballots] = [1: Ballots(), 2: Ballots(), 3: Ballots()]
        var current = Ballots()
        var skipped = false
        let threshold = KickThreshold(votes: 2)

        mutating func vote(_ vote: Vote, on id: Int64, by voter: String) throws {
            ballots[id, default: Ballots()].cast(vote, by: voter)
            let net = ballots[id]!.net
            try queue.setVotes(net, of: id)
            if threshold.outcome(netVotes: net, isCurrentSong: false) == .leavesQueue {
                try queue.remove(id: id)
            }
        }

        mutating func voteOnCurrent(_ vote: Vote, by voter: String) {
            current.cast(vote, by: voter)
            skipped = threshold.outcome(netVotes: current.net, isCurrentSong: true) == .skipsCurrentSong
        }

        var order: [Int64] { queue.playOrder(interactivity: .upAndDown, fairness: .off).map(\.id) }
    }

    @Test func votesReorderTheQueueAsInRaveberry() throws {
        var party = Party()
        try party.vote(.up, on: 2, by: "a")
        try party.vote(.up, on: 3, by: "b")
        #expect(party.order == [2, 3, 1], "equal votes keep position order")
        try party.vote(.up, on: 1, by: "c")
        #expect(party.order == [1, 2, 3])
        try party.vote(.down, on: 2, by: "d")
        try party.vote(.down, on: 2, by: "e")
        try party.vote(.down, on: 1, by: "d")
        #expect(party.order == [3, 1, 2])
        #expect(party.queue.positions == [1, 2, 3], "votes never touch positions")
    }

    @Test func downvotedSongLeavesQueueAtThreshold() throws {
        var party = Party()
        try party.vote(.down, on: 2, by: "a")
        #expect(party.order == [1, 3, 2], "−1 is above the threshold: the song stays, last")
        try party.vote(.down, on: 2, by: "b")
        #expect(party.order == [1, 3])
        #expect(party.queue.positions == [1, 2], "no gap where the song was")
    }

    @Test func oneVoterDownvotingThreeTimesCannotKickASong() throws {
        var party = Party()
        for _ in 0..<3 { try party.vote(.down, on: 2, by: "a") }
        #expect(party.order == [1, 3, 2])
        #expect(party.queue.item(id: 2)?.votes == -1)
    }

    @Test func requestedSongNeedsThreeDownvotesFromOthers() throws {
        var party = Party()
        party.queue.enqueue([queued(4, votes: 1, requester: "r", manual: true)], first: false)
        party.ballots[4] = Ballots(requester: "r")
        try party.vote(.down, on: 4, by: "a")
        try party.vote(.down, on: 4, by: "b")
        #expect(party.queue.item(id: 4)?.votes == -1)
        try party.vote(.down, on: 4, by: "c")
        #expect(party.queue.item(id: 4) == nil)
    }

    @Test func currentSongIsSkippedAtThreshold() {
        var party = Party()
        party.voteOnCurrent(.down, by: "a")
        party.voteOnCurrent(.down, by: "a")
        #expect(!party.skipped, "the same voter twice is one vote")
        party.voteOnCurrent(.down, by: "b")
        #expect(party.skipped)
        var generator = SeededGenerator(seed: 1)
        let next = party.queue.dequeueNext(interactivity: .upAndDown, fairness: .off, shuffle: false, using: &generator)
        #expect(next?.id == 1)
        #expect(party.queue.count == 2)
    }
}
