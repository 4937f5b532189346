import Testing

@testable import RaveboxCore

@Suite struct PartyActionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var action: PartyAction
        var privilege: Privilege
        var interactivity: Interactivity
        /// `nil` when allowed, else a fragment of the refusal.
        var refusal: String?

        var testDescription: String {
            "\(action) by \(privilege) at \(interactivity) → \(refusal ?? "allowed")"
        }
    }

    static let table: [Case] = [
        // Requests and hashtags: everybody, everywhere.
        Case(action: .request, privilege: .guest, interactivity: .noControl, refusal: nil),
        Case(action: .request, privilege: .guest, interactivity: .upvotesOnly, refusal: nil),
        Case(action: .submitHashtag, privilege: .guest, interactivity: .noControl, refusal: nil),
        // Votes follow the level for everybody.
        Case(action: .vote(.up), privilege: .guest, interactivity: .upAndDown, refusal: nil),
        Case(action: .vote(.down), privilege: .guest, interactivity: .upAndDown, refusal: nil),
        Case(action: .vote(.none), privilege: .guest, interactivity: .upAndDown, refusal: nil),
        Case(action: .vote(.up), privilege: .guest, interactivity: .upvotesOnly, refusal: nil),
        Case(action: .vote(.none), privilege: .guest, interactivity: .upvotesOnly, refusal: nil),
        Case(
            action: .vote(.down), privilege: .guest, interactivity: .upvotesOnly,
            refusal: "Downvotes are switched off at this party."),
        Case(
            action: .vote(.down), privilege: .admin, interactivity: .upvotesOnly,
            refusal: "Downvotes are switched off"),
        Case(
            action: .vote(.up), privilege: .guest, interactivity: .fullControl,
            refusal: "Voting is switched off at this party."),
        Case(action: .vote(.up), privilege: .mod, interactivity: .noControl, refusal: "Voting is switched off"),
        // Controls: guests only in full control; mods and admins always.
        Case(action: .playbackControl, privilege: .guest, interactivity: .fullControl, refusal: nil),
        Case(action: .queueControl, privilege: .guest, interactivity: .fullControl, refusal: nil),
        Case(
            action: .playbackControl, privilege: .guest, interactivity: .upAndDown,
            refusal: "Only mods and admins can control playback"),
        Case(
            action: .queueControl, privilege: .guest, interactivity: .noControl,
            refusal: "Only mods and admins can move or remove songs"),
        Case(action: .queueControl, privilege: .guest, interactivity: .upvotesOnly, refusal: "Only mods and admins"),
        Case(action: .playbackControl, privilege: .mod, interactivity: .noControl, refusal: nil),
        Case(action: .queueControl, privilege: .mod, interactivity: .upAndDown, refusal: nil),
        Case(action: .queueControl, privilege: .admin, interactivity: .upvotesOnly, refusal: nil),
        // Admin only, even in full control.
        Case(action: .removeAll, privilege: .guest, interactivity: .fullControl, refusal: "Only the admin"),
        Case(action: .removeAll, privilege: .mod, interactivity: .fullControl, refusal: "Only the admin"),
        Case(action: .removeAll, privilege: .admin, interactivity: .noControl, refusal: nil),
        Case(action: .shuffleAll, privilege: .mod, interactivity: .fullControl, refusal: "shuffle the whole queue"),
        Case(action: .shuffleAll, privilege: .admin, interactivity: .upAndDown, refusal: nil),
        Case(action: .settings, privilege: .mod, interactivity: .fullControl, refusal: "settings"),
        Case(action: .settings, privilege: .admin, interactivity: .fullControl, refusal: nil),
    ]

    @Test(arguments: table)
    func permissionTableDecidesWhoMayDoWhat(_ row: Case) {
        do {
            try row.action.authorize(row.privilege, at: row.interactivity)
            #expect(row.refusal == nil, "was allowed")
        } catch {
            #expect(error.category == .forbidden)
            #expect(error.httpStatus == 403)
            if let refusal = row.refusal {
                #expect(error.message.contains(refusal))
            } else {
                Issue.record("refused: \(error.message)")
            }
        }
        #expect(row.action.isAllowed(for: row.privilege, at: row.interactivity) == (row.refusal == nil))
    }

    @Test(arguments: Interactivity.allCases)
    func modsAndAdminsAlwaysHaveControls(_ interactivity: Interactivity) {
        for privilege in [Privilege.mod, .admin] {
            #expect(PartyAction.playbackControl.isAllowed(for: privilege, at: interactivity))
            #expect(PartyAction.queueControl.isAllowed(for: privilege, at: interactivity))
        }
        #expect(PartyAction.request.isAllowed(for: .guest, at: interactivity))
    }

    @Test func privilegesAreOrderedGuestModAdmin() {
        #expect(Privilege.guest < .mod)
        #expect(Privilege.mod < .admin)
        #expect(!(Privilege.admin < .guest))
        #expect(Privilege.allCases.sorted() == [.guest, .mod, .admin])
    }

    @Test func interactivityRawValuesAreTheStoredStrings() {
        #expect(Interactivity.allCases.map(\.rawValue) == ["fullControl", "upAndDown", "upvotesOnly", "noControl"])
        #expect(Interactivity.allCases.filter(\.ordersByVotes) == [.upAndDown, .upvotesOnly])
        #expect(Interactivity.allCases.filter(\.honoursShuffle) == [.fullControl, .noControl])
    }

    @Test(arguments: [
        (RuleError.badRequest("x"), 400), (.forbidden("x"), 403), (.notFound("x"), 404), (.conflict("x"), 409),
        (.tooManyRequests("x", retryAfter: 3), 429),
    ])
    func ruleErrorsMapToHTTPStatuses(error: RuleError, status: Int) {
        #expect(error.httpStatus == status)
        #expect(error.message == "x")
        #expect(error.description.contains("\(status)"))
    }
}
