import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxIPC
import Testing

@testable import RaveboxWeb

@Suite struct PrivilegeAPITests {
    func app(_ box: WebTestBox) -> some ApplicationProtocol { Application(router: box.web.router()) }

    @Test(arguments: ["play", "pause", "skip", "restart", "alarm"])
    func playbackControlsNeedAModUnlessEveryoneHasControl(action: String) async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = try await Guest().call(client, .post, "/api/playback/\(action)")
            #expect(guest.status == .forbidden)
            #expect(guest.error?.contains("mods and admins") == true)
            let mod = try await box.login(.mod, client)
            #expect(try await mod.call(client, .post, "/api/playback/\(action)").status == .accepted)
            try await box.setInteractivity(.fullControl)
            #expect(try await Guest().call(client, .post, "/api/playback/\(action)").status == .accepted)
        }
        let kinds = box.drainCommands().map(\.kind)
        let expected: CommandKind =
            switch action {
            case "play": .play
            case "pause": .pause
            case "skip": .skip
            case "alarm": .alarm
            default: .seek
            }
        #expect(kinds == [expected, expected])
    }

    @Test func seekVolumeAndModesAreValidated() async throws {
        let box = try WebTestBox()
        try await box.setInteractivity(.fullControl)
        try await app(box).test(.router) { client in
            let guest = Guest()
            #expect(
                try await guest.call(client, .post, "/api/playback/seek", "{\"seconds\": 42.5}").status == .accepted)
            #expect(
                try await guest.call(client, .post, "/api/playback/seek", "{\"seconds\": -1}").status == .badRequest)
            #expect(
                try await guest.call(client, .put, "/api/playback/volume", "{\"volume\": 0.25}").status == .accepted)
            let loud = try await guest.call(client, .put, "/api/playback/volume", "{\"volume\": 2}")
            #expect(loud.status == .badRequest)
            #expect(loud.error?.contains("between 0 and 1") == true)
            let modes = try await guest.call(client, .put, "/api/playback/modes", "{\"repeat\": true}")
            #expect(try modes.decode(PlaybackModes.self) == PlaybackModes(repeat: true))
            let more = try await guest.call(client, .put, "/api/playback/modes", "{\"autoplay\": true}")
            #expect(try more.decode(PlaybackModes.self) == PlaybackModes(repeat: true, autoplay: true))
            #expect(try await guest.call(client, .put, "/api/playback/modes", "{\"repeat\": 3}").status == .badRequest)
        }
        let commands = box.drainCommands()
        #expect(commands.map(\.kind) == [.seek, .setVolume])
        #expect(commands.map(\.value) == [42.5, 0.25])
        #expect(try box.store.playbackModes() == PlaybackModes(repeat: true, autoplay: true))
    }

    @Test func removeAllAndShuffleAllAreTheAdminsAlone() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = Guest()
            for id in box.songIDs { _ = try await box.request(id, as: guest, client) }
            let asGuest = try await guest.call(client, .delete, "/api/queue")
            #expect(asGuest.status == .unauthorized)
            let mod = try await box.login(.mod, client)
            #expect(try await mod.call(client, .delete, "/api/queue").status == .forbidden)
            #expect(try await mod.call(client, .post, "/api/queue/shuffle").status == .forbidden)
            let admin = try await box.login(.admin, client)
            let shuffled = try await admin.call(client, .post, "/api/queue/shuffle")
            #expect(shuffled.status == .ok)
            #expect(Set(try shuffled.decode([QueueEntry].self).map(\.songID)) == Set(box.songIDs))
            #expect(try shuffled.decode([QueueEntry].self).map(\.position) == [1, 2, 3])
            #expect(try await admin.call(client, .delete, "/api/queue").status == .noContent)
        }
        #expect(try await box.store.queue().isEmpty)
    }

    @Test func settingsAreReadAndChangedByTheAdminWithValidation() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            #expect(try await Guest().call(client, .get, "/api/settings").status == .unauthorized)
            let admin = try await box.login(.admin, client)
            let settings = try await admin.call(client, .get, "/api/settings")
            #expect(settings.status == .ok)
            let values = try settings.decode([String: SettingValue].self)
            #expect(values["downvotesToKick"] == .int(2))
            let bad = try await admin.call(client, .patch, "/api/settings", "{\"downvotesToKick\": 0}")
            #expect(bad.status == .badRequest)
            #expect(bad.error?.contains("downvotesToKick") == true)
            let unknown = try await admin.call(client, .patch, "/api/settings", "{\"volumeToEleven\": true}")
            #expect(unknown.status == .badRequest)
            #expect(unknown.error?.contains("volumeToEleven") == true)
            let good = try await admin.call(
                client, .patch, "/api/settings", "{\"downvotesToKick\": 3, \"interactivity\": \"fullControl\"}")
            #expect(good.status == .ok)
            #expect(try good.decode([String: SettingValue].self)["downvotesToKick"] == .int(3))
            // Everyone sees the change at once: the guest now has controls.
            #expect(try await Guest().call(client, .post, "/api/playback/pause").status == .accepted)
        }
        #expect(try await box.store.boxSettings().downvotesToKick == 3)
    }

    @Test func loginLogoutAndFirstRunSetup() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = Guest()
            let before = try await guest.call(client, .get, "/api/session").decode(SessionReply.self)
            #expect(before.privilege == "guest")
            #expect(!before.adminPasswordSet)
            let code = box.setupCode.description
            let short = try await guest.call(
                client, .post, "/api/session/setup", "{\"password\": \"short\", \"code\": \"\(code)\"}")
            #expect(short.status == .badRequest)
            let setup = try await guest.call(
                client, .post, "/api/session/setup", "{\"password\": \"first-run-pass\", \"code\": \"\(code)\"}")
            #expect(try setup.decode(SessionReply.self).privilege == "admin")
            let again = try await Guest().call(
                client, .post, "/api/session/setup", "{\"password\": \"another-pass\", \"code\": \"\(code)\"}")
            #expect(again.status == .conflict)
            // The admin sets the mod password; a mod logs in with it.
            #expect(
                try await guest.call(client, .put, "/api/session/mod-password", "{\"password\": \"mod-password\"}")
                    .status == .noContent)
            let mod = Guest()
            let wrong = try await mod.call(
                client, .post, "/api/session/login", "{\"role\": \"mod\", \"password\": \"nope-nope\"}")
            #expect(wrong.status == .unauthorized)
            let right = try await mod.call(
                client, .post, "/api/session/login", "{\"role\": \"mod\", \"password\": \"mod-password\"}")
            #expect(try right.decode(SessionReply.self).privilege == "mod")
            #expect(try await mod.call(client, .post, "/api/playback/skip").status == .accepted)
            let out = try await mod.call(client, .post, "/api/session/logout")
            #expect(try out.decode(SessionReply.self).privilege == "guest")
            #expect(try await mod.call(client, .post, "/api/playback/skip").status == .forbidden)
        }
    }

    @Test func hashtagsAreNormalisedAndShownInTheState() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = Guest()
            #expect(
                try await guest.call(client, .post, "/api/hashtags", "{\"text\": \"  dancefloor \"}").status == .created
            )
            let long = String(repeating: "x", count: 300)
            #expect(
                try await guest.call(client, .post, "/api/hashtags", "{\"text\": \"\(long)\"}").status == .badRequest)
            let state = try await guest.call(client, .get, "/api/state").decode(PartyState.self)
            #expect(state.hashtag == "#dancefloor")
        }
    }

    @Test func writesFromAnotherSiteAreRefused() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = Guest()
            let body = "{\"songId\": \(box.songIDs[0])}"
            let foreign = try await guest.call(
                client, .post, "/api/queue", body, headers: [.origin: "http://evil.example"])
            #expect(foreign.status == .forbidden)
            #expect(foreign.error?.contains("other sites") == true)
            #expect(try await box.store.queue().isEmpty)
        }
    }

    @Test(arguments: [
        ("ravebox.local", "http://ravebox.local", true), ("ravebox.local:8080", "http://ravebox.local:8080", true),
        ("ravebox.local:8080", "http://ravebox.local", false), ("ravebox.local:80", "https://ravebox.local", false),
        ("[::1]:8080", "http://[::1]:8080", true), ("10.0.0.1", "http://evil.example", false),
    ])
    func originMatchesOnlyTheSameHostAndPort(host: String, origin: String, matches: Bool) {
        #expect(OriginCheckMiddleware<RaveboxRequestContext>.origin(origin, matches: host) == matches)
    }

    @Test func wrongMethodAndOversizeBodyAreJSONErrors() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = Guest()
            let wrong = try await guest.call(client, .get, "/api/playback/skip")
            #expect([.notFound, .methodNotAllowed].contains(wrong.status))
            #expect(wrong.error != nil)
            #expect(box.drainCommands().isEmpty)
            let huge = "{\"songId\": 1, \"pad\": \"\(String(repeating: "x", count: 100_000))\"}"
            let big = try await guest.call(client, .post, "/api/queue", huge)
            #expect(big.status == .contentTooLarge)
            #expect(big.error != nil)
        }
    }

    @Test func searchValidatesItsLimitAndTheDiceFindsASong() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let guest = Guest()
            let found = try await guest.call(client, .get, "/api/search?q=gam")
            #expect(try found.decode([LibraryListing].self).map(\.title) == ["Three"])
            #expect(try await guest.call(client, .get, "/api/search?limit=0").status == .badRequest)
            #expect(try await guest.call(client, .get, "/api/search?limit=2").decode([LibraryListing].self).count == 2)
            let dice = try await guest.call(client, .get, "/api/search/random")
            #expect(box.songIDs.contains(try dice.decode(LibraryListing.self).id))
        }
    }
}

@Suite struct ColorAPITests {
    struct EntryColors: Decodable {
        var requestedBy: String?
        var upvotes: [String]
        var downvotes: [String]
    }

    @Test(arguments: [
        ("nobody", [false, false, false]), ("adminOnly", [false, false, true]), ("modAndAdmin", [false, true, true]),
        ("everybody", [true, true, true]),
    ])
    func voterColoursAreShownToWhomTheSettingAllows(indication: String, allowed: [Bool]) async throws {
        let box = try WebTestBox()
        _ = try await box.store.updateSettings(["colorIndication": .string(indication)])
        box.segment.bump(.settings)
        try await Application(router: box.web.router()).test(.router) { client in
            let viewers = [Guest(), try await box.login(.mod, client), try await box.login(.admin, client)]
            for (viewer, allowed) in zip(viewers, allowed) {
                let reply = try await viewer.call(client, .get, "/api/colors")
                #expect(reply.status == (allowed ? .ok : .forbidden), "\(indication)")
            }
        }
    }

    @Test func requesterUpAndDownVotersGetTheirOwnColours() async throws {
        let box = try WebTestBox()
        _ = try await box.store.updateSettings(["colorIndication": .string("everybody")])
        box.segment.bump(.settings)
        try await Application(router: box.web.router()).test(.router) { client in
            let (requester, fan, critic) = (Guest(), Guest(), Guest())
            let id = try await box.request(box.songIDs[0], as: requester, client)
            _ = try await fan.call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": 1}")
            _ = try await critic.call(client, .put, "/api/queue/\(id)/vote", "{\"vote\": -1}")
            let colors = try await Guest().call(client, .get, "/api/colors").decode([String: EntryColors].self)
            let entry = try #require(colors["\(id)"])
            #expect(entry.requestedBy == GuestColor(number: 0).hex)
            #expect(entry.upvotes == [GuestColor(number: 1).hex])
            #expect(entry.downvotes == [GuestColor(number: 2).hex])
        }
    }
}
