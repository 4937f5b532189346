import Foundation
import Testing

@testable import RaveboxCore

@Suite struct PlaybackModesTests {
    @Test(arguments: [
        (true, PlayOutcome.finished, false, true), (true, .skipped, false, true), (true, .skipped, true, false),
        (true, .failed, false, false), (false, .finished, false, false),
    ])
    func repeatQueuesAFinishedSongAgainAtTheEndWithNoVotes(
        on: Bool, outcome: PlayOutcome, votedOut: Bool, repeats: Bool
    ) {
        let modes = PlaybackModes(repeat: on)
        let addition = modes.repeatAddition(songID: 42, outcome: outcome, votedOut: votedOut, now: 500)
        #expect((addition != nil) == repeats)
        if let addition {
            #expect(addition == QueueAddition(songID: 42, requester: nil, manuallyRequested: false, requestedAt: 500))
            #expect(addition.item(id: 9).votes == 0)
            var queue = queue([1, 2])
            queue.enqueue([addition.item(id: 9)], first: false)
            #expect(queue.ids == [1, 2, 9])
        }
    }

    @Test func autoplayIsNeededOnlyWhenOnAndTheQueueIsEmpty() {
        #expect(PlaybackModes(autoplay: true).needsAutoplay(queueIsEmpty: true))
        #expect(!PlaybackModes(autoplay: true).needsAutoplay(queueIsEmpty: false))
        #expect(!PlaybackModes().needsAutoplay(queueIsEmpty: true))
    }

    @Test(arguments: [(-9, 1), (-4, 1), (-1, 8), (0, 16), (1, 32), (4, 256), (100, 256)])
    func autoplayWeightDoublesPerNetVote(score: Int, weight: Int) {
        #expect(Autoplay.weight(score: score) == weight)
    }

    @Test func autoplayNeverChoosesASongPlayedInTheLastHour() {
        let now = 100_000.0
        let candidates = [
            Autoplay.Candidate(songID: 1, score: 4, lastPlayed: now - 3599),
            Autoplay.Candidate(songID: 2, score: 4, lastPlayed: now + 10),
            Autoplay.Candidate(songID: 3, score: -4, lastPlayed: now - 3600),
        ]
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<100 {
            #expect(Autoplay.choose(from: candidates, now: now, using: &generator)?.songID == 3)
        }
    }

    @Test func autoplayReturnsNilWhenNothingQualifies() {
        var generator = SeededGenerator(seed: 9)
        #expect(Autoplay.choose(from: [], now: 0, using: &generator) == nil)
        let recent = [Autoplay.Candidate(songID: 1, score: 0, lastPlayed: 50)]
        #expect(Autoplay.choose(from: recent, now: 100, using: &generator) == nil)
        let playing = [Autoplay.Candidate(songID: 7, score: 0, lastPlayed: nil)]
        #expect(Autoplay.choose(from: playing, now: 100, excluding: [7], using: &generator) == nil)
    }

    @Test func autoplayFavoursWhatThePartyVotedUp() {
        let candidates = [
            Autoplay.Candidate(songID: 1, score: 4, lastPlayed: nil),
            Autoplay.Candidate(songID: 2, score: 0, lastPlayed: nil),
            Autoplay.Candidate(songID: 3, score: -4, lastPlayed: 0),
        ]
        var generator = SeededGenerator(seed: 2024)
        var counts: [Int64: Int] = [:]
        let draws = 27_300
        for _ in 0..<draws {
            counts[Autoplay.choose(from: candidates, now: 1e9, using: &generator)!.songID, default: 0] += 1
        }
        // Weights 256 : 16 : 1 → expected 25_600, 1_600 and 100 draws.
        #expect((24_900...26_300).contains(counts[1, default: 0]))
        #expect((1_400...1_800).contains(counts[2, default: 0]))
        #expect((50...160).contains(counts[3, default: 0]))
    }

    @Test func autoplayWithTheSameSeedChoosesTheSameSong() {
        let candidates = (1...50).map { Autoplay.Candidate(songID: Int64($0), score: $0 % 5 - 2, lastPlayed: nil) }
        var a = SeededGenerator(seed: 77)
        var b = SeededGenerator(seed: 77)
        #expect(
            Autoplay.choose(from: candidates, now: 0, using: &a) == Autoplay.choose(from: candidates, now: 0, using: &b)
        )
    }

    @Test func modesEncodeWithTheAPIsKeys() throws {
        let modes = PlaybackModes(shuffle: true, repeat: false, autoplay: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(modes), as: UTF8.self)
        #expect(json == #"{"autoplay":true,"repeat":false,"shuffle":true}"#)
    }
}
