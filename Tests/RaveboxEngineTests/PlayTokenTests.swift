import Testing

@testable import RaveboxEngine

struct PlayTokenTests {
    @Test(
        "Every kind of sound survives the round trip through the player's token",
        arguments: [
            PlayToken.play(1), .play(42), .play(Int64.max), .preload(entryID: 1), .preload(entryID: 7),
            .preload(entryID: Int64.max / 2), .alarm(1), .alarm(3), .alarm(1_000_000),
        ])
    func tokenRoundTrips(_ token: PlayToken) {
        #expect(PlayToken(rawValue: token.rawValue) == token)
    }

    @Test("A play, a preload and an alarm never share a token")
    func kindsNeverCollide() {
        #expect(PlayToken.play(5).rawValue != PlayToken.preload(entryID: 5).rawValue)
        #expect(PlayToken.preload(entryID: 1).rawValue != PlayToken.alarm(1).rawValue)
        #expect(PlayToken.play(5).rawValue == 5)
        #expect(PlayToken.preload(entryID: 5).rawValue == -5)
        #expect(PlayToken.alarm(1).rawValue == Int64.min + 1)
    }

    @Test("Token 0 names no sound")
    func zeroIsNoSound() {
        #expect(PlayToken(rawValue: 0) == nil)
    }
}
