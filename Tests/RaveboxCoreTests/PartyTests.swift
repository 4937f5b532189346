import Foundation
import Testing

@testable import RaveboxCore

@Suite struct PartyTests {
    // MARK: Active guests and party mode

    @Test func activeGuestsAreDistinctVotersOfTheLastTenMinutes() {
        let now = 10_000.0
        let activities = [
            ActiveGuests.Activity(voter: "a", at: now - 10), ActiveGuests.Activity(voter: "a", at: now - 20),
            ActiveGuests.Activity(voter: "b", at: now - 600), ActiveGuests.Activity(voter: "c", at: now - 601),
            ActiveGuests.Activity(voter: "d", at: now + 2),
        ]
        #expect(ActiveGuests.count(activities, now: now) == 3, "a twice is one; b at exactly 600 s counts; c is gone")
        #expect(ActiveGuests.count([], now: now) == 0)
    }

    @Test(arguments: [(2, 3, false), (3, 3, true), (10, 3, true), (0, 1, false), (1, 1, true)])
    func partyModeNeedsPeopleToPartyActiveGuests(active: Int, people: Int, partyMode: Bool) {
        #expect(ActiveGuests.isPartyMode(activeGuests: active, peopleToParty: people) == partyMode)
    }

    // MARK: Colour indication

    @Test(arguments: [
        (ColorIndication.everybody, [true, true, true]), (.modAndAdmin, [false, true, true]),
        (.adminOnly, [false, false, true]), (.nobody, [false, false, false]),
    ])
    func colourIndicationIsVisibleByPrivilege(setting: ColorIndication, visible: [Bool]) {
        #expect(Privilege.allCases.map(setting.isVisible(to:)) == visible)
    }

    @Test func guestColoursAreDistinctForTheFirstTwelveGuests() {
        let colours = (0..<12).map { GuestColor(number: $0) }
        #expect(Set(colours).count == 12)
        #expect(GuestColor(number: 12) == GuestColor(number: 0))
        #expect(GuestColor(number: 5, offset: 3) == GuestColor(number: 8))
        #expect(GuestColor(number: -1) == GuestColor(number: 11))
        #expect(GuestColor(number: 0, offset: Int.min) == GuestColor.palette[4])
        #expect(GuestColor(number: Int.max, offset: Int.max) == GuestColor.palette[(7 + 7) % 12])
    }

    /// WCAG relative luminance of `#rrggbb`.
    static func luminance(_ hex: String) -> Double {
        let value = Int(hex.dropFirst(), radix: 16)!
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xFF) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    static func contrast(_ a: Double, _ b: Double) -> Double { (max(a, b) + 0.05) / (min(a, b) + 0.05) }

    @Test(arguments: GuestColor.palette)
    func everyGuestColourIsReadableOnLightAndDarkPages(_ colour: GuestColor) {
        #expect(colour.hex.count == 7 && colour.hex.hasPrefix("#"))
        let l = Self.luminance(colour.hex)
        #expect(Self.contrast(l, 1) >= 4, "on white")
        #expect(Self.contrast(l, Self.luminance("#121212")) >= 4, "on the dark theme")
    }

    // MARK: Hashtags

    @Test(arguments: [
        ("summer", "#summer"), ("#summer", "#summer"), ("  ##summer   vibes \n", "#summer vibes"),
        ("# spaced", "#spaced"), ("#ünïcödé 🎉", "#ünïcödé 🎉"),
        (String(repeating: "x", count: 99), "#" + String(repeating: "x", count: 99)),
    ])
    func hashtagsAreTrimmedAndGetOneLeadingHash(input: String, stored: String) throws {
        #expect(try Hashtag.normalize(input) == stored)
    }

    @Test(arguments: ["", "   ", "#", "###  ", String(repeating: "x", count: 100), "bell\u{7}"])
    func emptyOverlongOrControlHashtagsAreRefused(input: String) {
        #expect(throws: RuleError.self) { try Hashtag.normalize(input) }
    }

    /// The limit counts code points, as the API document's `maxLength` does: one letter under 300 combining
    /// accents is one `Character` but 301 code points, and is refused; so is a submitted text over the limit
    /// that trimming would shorten.
    @Test(arguments: [
        "e" + String(repeating: "\u{301}", count: 300),
        String(repeating: " ", count: 60) + String(repeating: "x", count: 50),
    ])
    func hashtagsLongerThanTheLimitInCodePointsAreRefused(input: String) {
        #expect(throws: RuleError.self) { try Hashtag.normalize(input) }
    }

    @Test func aRandomActiveHashtagOrThePlaceholderIsShown() {
        var generator = SeededGenerator(seed: 5)
        #expect(Hashtag.pick(from: [], using: &generator) == "Add your first hashtag!")
        let tags = ["#a", "#b", "#c"]
        var seen = Set<String>()
        for _ in 0..<50 { seen.insert(Hashtag.pick(from: tags, using: &generator)) }
        #expect(seen == Set(tags))
    }

    // MARK: Voter identity

    @Test(
        arguments: [
            ("s1", "10.0.0.7", true, "device:10.0.0.7"),
            ("s2", "10.0.0.7", true, "device:10.0.0.7"),
            ("s1", "10.0.0.7", false, "session:s1"),
            ("s1", nil, true, "session:s1"),
            ("s1", "  ", true, "session:s1"),
            ("s1", "AA:BB:CC:DD:EE:FF", true, "device:aa:bb:cc:dd:ee:ff"),
            ("s1", "::ffff:10.0.0.7", true, "device:10.0.0.7"),
            ("s1", "FE80::1", true, "device:fe80::1"),
        ] as [(String, String?, Bool, String)])
    func voterIsTheDeviceWithOneVotePerDeviceElseTheSession(
        session: String, device: String?, oneVotePerDevice: Bool, key: String
    ) {
        #expect(Voter.key(session: session, device: device, oneVotePerDevice: oneVotePerDevice) == key)
    }

    // MARK: Vote rate limit

    @Test func theEleventhVoteIn30SecondsIsRefusedWithRetryAfter() throws {
        let limit = VoteRateLimit.standard
        let now = 1_000.0
        let ten = (0..<10).map { now - 25 + Double($0) }
        try limit.check(recentVotes: Array(ten.prefix(9)), now: now)
        do {
            try limit.check(recentVotes: ten, now: now)
            Issue.record("the eleventh vote was accepted")
        } catch {
            guard case .tooManyRequests(let message, let retryAfter) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(retryAfter == 5)
            #expect(message == "You're voting too often. Try again in 5 seconds.")
            #expect(error.httpStatus == 429)
        }
        try limit.check(recentVotes: ten, now: now + 5)
    }
}
