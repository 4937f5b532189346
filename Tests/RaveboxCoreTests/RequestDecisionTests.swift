import Testing

@testable import RaveboxCore

@Suite struct RequestDecisionTests {
    /// Two songs queued (library ids 101 and 102), song 50 playing, at noon on some day.
    static let queueItems = [queued(1, requester: "ann"), queued(2, requester: "bob")]
    static let now = 1_700_000_000.0

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var song: Song
        var settings: BoxSettings = BoxSettings()
        var requesterQueuedCount = 0
        var requestedBefore = false
        var lastPlayed: Double?
        var privilege: Privilege = .guest
        /// `.success(decision)` or `.failure(error)`.
        var expected: Result<RequestDecision, RuleError>
        var testDescription: String { name }
    }

    static func settings(_ change: (inout BoxSettings) -> Void) -> BoxSettings {
        var settings = BoxSettings()
        change(&settings)
        return settings
    }

    static let cases: [Case] = [
        Case(name: "a new song is queued", song: song(7), expected: .success(.enqueue)),
        Case(
            name: "a queued song counts as an upvote", song: song(102, title: "Hey Ya"),
            expected: .success(
                .upvoteQueued(
                    entryID: 2, message: "\"Hey Ya\" is already in the queue: your request counts as an upvote."))
        ),
        Case(
            name: "the playing song counts as an upvote", song: song(50, title: "Roar"),
            expected: .success(
                .upvoteCurrent(message: "\"Roar\" is playing right now: your request counts as an upvote."))
        ),
        Case(
            name: "a queued song is refused where nobody votes", song: song(101, title: "Hey"),
            settings: settings { $0.interactivity = .fullControl },
            expected: .failure(.conflict("\"Hey\" is already in the queue."))),
        Case(
            name: "the playing song is refused where nobody votes", song: song(50, title: "Roar"),
            settings: settings { $0.interactivity = .noControl },
            expected: .failure(.conflict("\"Roar\" is playing right now."))),
        Case(
            name: "the queue limit refuses new songs", song: song(7), settings: settings { $0.maxQueueLength = 2 },
            expected: .failure(.conflict("The queue is full (2 songs). Try again when a song has played."))),
        Case(
            name: "a full queue still takes an upvote", song: song(101, title: "Hey"),
            settings: settings { $0.maxQueueLength = 2 },
            expected: .success(
                .upvoteQueued(entryID: 1, message: "\"Hey\" is already in the queue: your request counts as an upvote.")
            )
        ),
        Case(
            name: "below the queue limit is fine", song: song(7), settings: settings { $0.maxQueueLength = 3 },
            expected: .success(.enqueue)),
        Case(
            name: "the per-guest limit refuses a guest", song: song(7), settings: settings { $0.maxSongsPerGuest = 1 },
            requesterQueuedCount: 1,
            expected: .failure(.conflict("You already have a song waiting. Request more when one has played."))),
        Case(
            name: "the per-guest limit says how many", song: song(7), settings: settings { $0.maxSongsPerGuest = 3 },
            requesterQueuedCount: 3,
            expected: .failure(.conflict("You already have 3 songs waiting. Request more when one has played."))),
        Case(
            name: "mods are exempt from the per-guest limit", song: song(7),
            settings: settings { $0.maxSongsPerGuest = 1 }, requesterQueuedCount: 5, privilege: .mod,
            expected: .success(.enqueue)),
        Case(
            name: "new music only refuses a song requested before", song: song(7, title: "Again"),
            settings: settings { $0.newMusicOnly = true }, requestedBefore: true,
            expected: .failure(.forbidden("Only new music at this party: \"Again\" has been requested before."))),
        Case(
            name: "new music only takes a new song", song: song(7), settings: settings { $0.newMusicOnly = true },
            expected: .success(.enqueue)),
        Case(
            name: "requested before is fine without new music only", song: song(7), requestedBefore: true,
            expected: .success(.enqueue)),
        Case(
            name: "cooldown refuses a song played 30 minutes ago", song: song(7, title: "Hit"),
            settings: settings { $0.songCooldown = 1 }, lastPlayed: now - 1800,
            expected: .failure(.conflict("\"Hit\" played recently. It can be requested again in 30 minutes."))),
        Case(
            name: "cooldown speaks hours for long waits", song: song(7, title: "Hit"),
            settings: settings { $0.songCooldown = 6 }, lastPlayed: now - 3600,
            expected: .failure(.conflict("\"Hit\" played recently. It can be requested again in 5 hours."))),
        Case(
            name: "cooldown over: the song may come back", song: song(7), settings: settings { $0.songCooldown = 1 },
            lastPlayed: now - 3600, expected: .success(.enqueue)),
        Case(
            name: "no cooldown: a song just played may come back", song: song(7), lastPlayed: now - 10,
            expected: .success(.enqueue)),
        Case(
            name: "forbidden keyword in the artist", song: song(7, title: "Never Gonna", artist: "Rick Astley"),
            settings: settings { $0.forbiddenKeywords = "polka, rick" },
            expected: .failure(
                .forbidden("Songs with \"rick\" in the title or artist can't be requested at this party."))
        ),
        Case(
            name: "forbidden keyword only as a whole word", song: song(7, title: "Rickroll"),
            settings: settings { $0.forbiddenKeywords = "rick" }, expected: .success(.enqueue)),
        Case(
            name: "forbidden keyword beats the upvote", song: song(101, title: "Polka Time"),
            settings: settings { $0.forbiddenKeywords = "POLKA" },
            expected: .failure(
                .forbidden("Songs with \"POLKA\" in the title or artist can't be requested at this party."))
        ),
    ]

    @Test(arguments: cases)
    func requestIsQueuedCountedAsUpvoteOrRefused(_ row: Case) {
        let result = Result { () throws(RuleError) -> RequestDecision in
            try RequestDecision.decide(
                song: row.song, queue: Self.queueItems, currentSongID: 50,
                requesterQueuedCount: row.requesterQueuedCount,
                requestedBefore: row.requestedBefore, lastPlayed: row.lastPlayed, now: Self.now, settings: row.settings,
                privilege: row.privilege)
        }
        #expect(result == row.expected)
    }

    /// A playlist is decided song by song against the queue it builds: its own duplicate, a song already
    /// queued, a forbidden one and those past `maxQueueLength` stay out (none is upvoted), in order.
    @Test func aPlaylistKeepsEachRuleAndNeverHandsOutVotes() {
        let settings = Self.settings {
            $0.forbiddenKeywords = "banned"
            $0.maxQueueLength = 5
        }
        let playlist = [song(7), song(101), song(8, title: "Banned Tune"), song(7), song(9), song(10), song(11)]
        let decision = RequestDecision.decide(
            songs: playlist, queue: Self.queueItems, currentSongID: 50, requester: "cy",
            requestedBefore: { _ in false },
            lastPlayed: { _ in nil }, now: Self.now, settings: settings, privilege: .mod)
        #expect(decision.accepted.map(\.id) == [7, 9, 10])
        #expect(
            decision.refusals == [
                .conflict("\"Song\" is already in the queue or playing."),
                .forbidden("Songs with \"banned\" in the title or artist can't be requested at this party."),
                .conflict("\"Song\" is already in the queue or playing."),
                .conflict("The queue is full (5 songs). Try again when a song has played."),
            ])
    }

    /// A guest's playlist (where the party lets guests queue one) counts towards `maxSongsPerGuest`.
    @Test func aGuestsPlaylistStopsAtTheirSongLimit() {
        let settings = Self.settings { $0.maxSongsPerGuest = 2 }
        let decision = RequestDecision.decide(
            songs: [song(7), song(8), song(9)], queue: Self.queueItems, currentSongID: nil, requester: "ann",
            requestedBefore: { _ in false }, lastPlayed: { _ in nil }, now: Self.now, settings: settings,
            privilege: .guest)
        #expect(decision.accepted.map(\.id) == [7])
        #expect(decision.refusals.count == 2)
    }

    /// Raveberry's `test_add` requested the same song twice and got two entries; here the second request
    /// is the second guest's upvote.
    @Test func requestingTheSameSongTwiceUpvotesInsteadOfDuplicating() throws {
        var queue = SongQueue([queued(1), queued(2), queued(3)])
        var ballots: [Int64: Ballots] = [:]
        for (id, requester) in [(Int64(4), "ann"), (5, "bob")] {
            let decision = try RequestDecision.decide(
                song: song(77), queue: queue.items, currentSongID: nil, requesterQueuedCount: 0,
                requestedBefore: false, lastPlayed: nil, now: Self.now, settings: BoxSettings())
            switch decision {
            case .enqueue:
                let addition = QueueAddition(songID: 77, requester: requester, manuallyRequested: true, requestedAt: 0)
                queue.enqueue([addition.item(id: id)], first: false)
                ballots[id] = addition.initialBallots
            case .upvoteQueued(let entryID, _):
                ballots[entryID, default: Ballots()].cast(.up, by: requester)
                try queue.setVotes(ballots[entryID]!.net, of: entryID)
            case .upvoteCurrent:
                Issue.record("nothing is playing")
            }
        }
        #expect(queue.count == 4)
        #expect(queue.item(id: 4)?.votes == 2)
    }

    @Test(arguments: [
        (1.0, "1 minute"), (60, "1 minute"), (61, "2 minutes"), (5340, "89 minutes"), (5400, "2 hours"),
        (36000, "10 hours"),
    ])
    func waitsAreSpokenInMinutesOrHours(seconds: Double, spoken: String) {
        #expect(RequestDecision.spoken(seconds) == spoken)
    }
}

@Suite struct ForbiddenKeywordsTests {
    @Test func wordsAreSplitOnCommasAndWhitespaceWithoutDuplicates() {
        #expect(ForbiddenKeywords(" polka,  rick\tASTLEY,,\nRick ").words == ["polka", "rick", "ASTLEY"])
        #expect(ForbiddenKeywords(" , ").isEmpty)
    }

    @Test(arguments: [
        ("rick", "Rick Astley", true), ("rick", "Rickroll", false), ("rick", "Patrick", false),
        ("rick", "rick-rolled", true), ("RICK", "never gonna rick", true), ("ac/dc", "AC/DC", true),
        ("ac/dc", "acdc", false), ("feat.", "Song (feat. Someone)", true), (".", "Anything", false),
        (".*", "Anything", false), ("(", "Bad (Remix)", true), ("b[a]d", "bad", false), ("é", "Café Del Mar", false),
        ("café", "CAFÉ del mar", true), ("99", "99 Luftballons", true), ("99", "1999", false),
        ("rick", "A rick and another", true), ("a", "Banana a", true),
    ])
    func wordsMatchLiterallyAsWholeWordsIgnoringCase(word: String, text: String, matches: Bool) {
        #expect(ForbiddenKeywords.contains(word: word, in: text) == matches)
    }

    @Test func titleOrArtistIsChecked() {
        let keywords = ForbiddenKeywords("polka, schlager")
        #expect(keywords.match(title: "Beer Polka", artist: "Band") == "polka")
        #expect(keywords.match(title: "Hit", artist: "Schlager Stars") == "schlager")
        #expect(keywords.allows(title: "Hit", artist: "Band"))
        #expect(ForbiddenKeywords("").allows(title: "anything", artist: "anyone"))
    }
}
