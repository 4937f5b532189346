import Testing

@testable import RaveboxCore

@Suite struct SessionRulesTests {
    static let now = 1_700_000_000.0

    struct Case: Sendable, CustomTestStringConvertible {
        /// Seconds since the session began, since it was last seen, and since the privilege was granted.
        var age: Double
        var idle: Double
        var privilege: Privilege
        var privilegedFor: Double?
        var expected: SessionLifetime.Standing
        var testDescription: String { "\(privilege) \(age) s old, \(idle) s idle: \(expected)" }
    }

    static let hour = 3600.0
    static let cases: [Case] = [
        Case(age: hour, idle: 60, privilege: .guest, expected: .valid),
        Case(age: 144 * hour, idle: 23 * hour, privilege: .guest, expected: .valid),
        Case(age: 48 * hour, idle: 24 * hour, privilege: .guest, expected: .expired),
        Case(age: 168 * hour, idle: 60, privilege: .guest, expected: .expired),
        Case(age: 13 * hour, idle: 60, privilege: .mod, privilegedFor: 11 * hour, expected: .valid),
        Case(age: 13 * hour, idle: 60, privilege: .mod, privilegedFor: 12 * hour, expected: .privilegeExpired),
        Case(age: 3 * hour, idle: 2 * hour, privilege: .admin, privilegedFor: 3 * hour, expected: .privilegeExpired),
        Case(age: 3 * hour, idle: hour, privilege: .admin, privilegedFor: 3 * hour, expected: .valid),
        Case(age: 72 * hour, idle: 25 * hour, privilege: .admin, privilegedFor: hour, expected: .expired),
    ]

    @Test(arguments: cases)
    func standing(_ row: Case) {
        let times = SessionLifetime.Times(
            createdAt: Self.now - row.age, lastSeenAt: Self.now - row.idle,
            privilegedAt: row.privilegedFor.map { Self.now - $0 })
        #expect(SessionLifetime.standing(of: times, privilege: row.privilege, now: Self.now) == row.expected)
    }

    @Test func privilegedSessionsEndSoonerThanGuests() {
        #expect(SessionLifetime.privileged.idle < SessionLifetime.guest.idle)
        #expect(SessionLifetime.privileged.absolute < SessionLifetime.guest.absolute)
    }

    @Test func tokensAreLongRandomAndOnlyTheirShapeIsLookedUp() {
        let tokens = (0..<1000).map { _ in SessionToken.make() }
        #expect(Set(tokens).count == 1000)
        #expect(tokens.allSatisfy { $0.count == 43 && SessionToken.isWellFormed($0) })
        #expect(SessionToken.isWellFormed("0f8e4a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b"), "sessions from before")
        for bad in ["", "x", String(repeating: "a", count: 42), String(repeating: "a", count: 42) + "=", "../../etc"] {
            #expect(!SessionToken.isWellFormed(bad), "\(bad)")
        }
        // Every byte is judged as the token alphabet says.
        for byte in UInt8.min...UInt8.max {
            #expect(SessionToken.isBase64URL(byte) == SessionToken.base64URL.utf8.contains(byte), "byte \(byte)")
        }
    }

    @Test func setupCodesReadAsPeopleTypeThem() throws {
        let code = SetupCode.make()
        #expect(code.description.count == 9 && code.description.dropFirst(4).first == "-")
        #expect(code.matches(code.description))
        #expect(code.matches(code.characters.lowercased()))
        let known = try #require(SetupCode("k7qm 2xwd"))
        #expect(known.description == "K7QM-2XWD")
        #expect(try #require(SetupCode("O1IL-0000")).characters == "01110000")
        #expect(!known.matches("K7QM-2XWE"))
        #expect(!known.matches("K7QM-2XW"))
        #expect(SetupCode("K7QM-2XWU") == nil, "U is not in the alphabet")
        #expect(SetupCode("") == nil)
        let many = Set((0..<500).map { _ in SetupCode.make().characters })
        #expect(many.count == 500)
    }

    @Test func passwordsFitBcrypt() {
        #expect(BoxConfiguration.passwordProblem("short") != nil)
        #expect(BoxConfiguration.passwordProblem("long enough") == nil)
        #expect(BoxConfiguration.passwordProblem(String(repeating: "x", count: 72)) == nil)
        #expect(BoxConfiguration.passwordProblem(String(repeating: "x", count: 73)) != nil)
        #expect(BoxConfiguration.passwordProblem(String(repeating: "é", count: 37)) != nil, "74 bytes")
    }
}
