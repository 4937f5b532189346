import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxStore
import Testing

@testable import RaveboxWeb

/// The box's own guests cannot be impersonated and strangers cannot take it over: the first-run setup takes
/// the box's code, the server issues and rotates every session token, sessions end, and nothing a stranger
/// can repeat without a cookie writes to the card.
@Suite struct SessionSecurityTests {
    func setup(_ password: String, code: String) -> String {
        "{\"password\": \"\(password)\", \"code\": \"\(code)\"}"
    }

    func sessionRows(_ box: WebTestBox) throws -> Int {
        try box.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM guest_session") ?? 0 }
    }

    /// Before: the first phone to post a password became the admin.
    @Test func theFirstGuestCannotClaimTheBoxWithoutItsSetupCode() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let stranger = Guest()
            let refused = try await stranger.call(
                client, .post, "/api/session/setup", setup("strangers-pass", code: "ABCD-EFGH"))
            #expect(refused.status == .forbidden)
            let noCode = try await stranger.call(
                client, .post, "/api/session/setup", "{\"password\": \"strangers-pass\"}")
            #expect(noCode.status == .badRequest)
            #expect(try await !AdminCredentials.adminPasswordIsSet(in: box.store))
            // Typed as a person would: lower case, without the dash, O for 0.
            let typed = box.setupCode.characters.lowercased().replacingOccurrences(of: "0", with: "o")
            let host = Guest()
            let claimed = try await host.call(client, .post, "/api/session/setup", setup("hosts-password", code: typed))
            #expect(claimed.status == .ok, "\(claimed.text)")
            #expect(try AdminCredentials.setupCode(in: box.store) == nil, "the code is used up")
        }
    }

    /// Before: two claims at once both succeeded (the check and the write were separate steps).
    @Test func ofTwoSimultaneousClaimsOnlyOneWins() async throws {
        let box = try WebTestBox()
        let code = box.setupCode.description
        try await Application(router: box.web.router()).test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        try await Guest().call(
                            client, .post, "/api/session/setup", setup("claimer-\(index)-pw", code: code)
                        )
                        .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 3, "\(statuses)")
        }
        let admins = try await box.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM guest_session WHERE privilege = 'admin'")
        }
        #expect(admins == 1)
    }

    /// Before: any well-formed cookie value became a session, and logging in kept it (session fixation).
    @Test func theServerIssuesTokensAndRotatesThemAtEveryPrivilegeChange() async throws {
        let box = try WebTestBox()
        try AdminCredentials.install(password: "admin-password", in: box.store)
        try await Application(router: box.web.router()).test(.router) { client in
            let planted = UUID().uuidString.lowercased()
            let victim = Guest(cookie: planted)
            let vote = try await victim.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[0])}")
            #expect(vote.status == .created)
            let issued = try #require(victim.token)
            #expect(issued != planted && issued.count == SessionToken.length)
            #expect(try await box.store.session(token: planted) == nil, "the planted value is not a session")
            let login = try await victim.call(
                client, .post, "/api/session/login", "{\"role\": \"admin\", \"password\": \"admin-password\"}")
            #expect(login.status == .ok)
            let afterLogin = try #require(victim.token)
            #expect(afterLogin != issued, "a new token at login")
            // Whoever learnt the token from before the login has a guest's session, not the admin's.
            let eavesdropper = Guest(cookie: issued)
            #expect(try await eavesdropper.call(client, .post, "/api/playback/skip").status == .forbidden)
            #expect(try await victim.call(client, .post, "/api/playback/skip").status == .accepted)
            // The identity stays: the request made before the login is still this guest's.
            let requester = try box.store.queueItems().first?.requester
            let session = try #require(try await box.store.session(token: afterLogin))
            #expect(requester == "session:\(session.id)")
            _ = try await victim.call(client, .post, "/api/session/logout")
            #expect(victim.token != afterLogin, "a new token at logout")
            #expect(try await Guest(cookie: afterLogin).call(client, .post, "/api/playback/skip").status == .forbidden)
        }
    }

    /// Before: every cookieless request, `/static/icon.svg` too, wrote a session row and counted a visitor.
    @Test func pagesAndFilesWithoutACookieWriteNothing() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            for path in ["/", "/static/icon.svg", "/api/state", "/api/session", "/join"] {
                for _ in 0..<20 {
                    let reply = try await Guest().call(client, .get, path)
                    #expect(reply.headers[.setCookie] == nil, "\(path) began a session")
                }
            }
            #expect(try sessionRows(box) == 0)
            #expect(try box.store.visitors() == 0)
            let guest = Guest()
            _ = try await guest.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[1])}")
            _ = try await guest.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[2])}")
            #expect(try sessionRows(box) == 1, "one session for the guest who acted")
            #expect(try box.store.visitors() == 1)
        }
    }

    /// Before: changing the mod password left every mod logged in.
    @Test func aNewModPasswordLogsEveryModOut() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let mod = try await box.login(.mod, client)
            let admin = try await box.login(.admin, client)
            #expect(try await mod.call(client, .post, "/api/playback/skip").status == .accepted)
            let change = try await admin.call(
                client, .put, "/api/session/mod-password", "{\"password\": \"new-mod-password\"}")
            #expect(change.status == .noContent)
            #expect(try await mod.call(client, .post, "/api/playback/skip").status == .forbidden)
            #expect(try await admin.call(client, .post, "/api/playback/skip").status == .accepted)
        }
    }

    /// Before: sessions never ended. A mod's privilege ends after 12 hours however active; a guest's
    /// session after a day without a visit.
    @Test func privilegesAndSessionsExpire() async throws {
        let box = try WebTestBox()
        let (mod, guest): (Guest, Guest) = try await Application(router: box.web.router()).test(.router) { client in
            let guest = Guest()
            _ = try await guest.call(client, .post, "/api/queue", "{\"songId\": \(box.songIDs[0])}")
            return (try await box.login(.mod, client), guest)
        }
        let now = Date().timeIntervalSince1970
        try await box.store.pool.write { db in
            try db.execute(
                sql: "UPDATE guest_session SET privilegedAt = ? WHERE privilege = 'mod'",
                arguments: [now - SessionLifetime.privileged.absolute - 1])
            try db.execute(
                sql: "UPDATE guest_session SET lastSeenAt = ? WHERE privilege = 'guest'",
                arguments: [now - SessionLifetime.guest.idle - 1])
        }
        // A fresh web process (nothing in memory) reads the sessions as they are stored.
        let web = WebApp(store: box.store, segment: box.segment, logger: box.web.logger)
        try await Application(router: web.router()).test(.router) { client in
            let before = mod.token
            let skip = try await mod.call(client, .post, "/api/playback/skip")
            #expect(skip.status == .forbidden)
            #expect(mod.token != before, "the guest's session goes on under a new token")
            let info = try await guest.call(client, .get, "/api/session").decode(SessionReply.self)
            #expect(info.privilege == "guest" && info.votes.isEmpty, "the expired session is no longer this guest's")
        }
    }

    /// Before: 30 simultaneous wrong logins got 11 tries against a limit of 10.
    @Test func simultaneousWrongLoginsGetNoMoreTriesThanTheLimit() async throws {
        let box = try WebTestBox()
        try AdminCredentials.install(password: "admin-password", in: box.store)
        try await Application(router: box.web.router()).test(.router) { client in
            let guesser = Guest()
            let wrong = "{\"role\": \"admin\", \"password\": \"guess-guess\"}"
            #expect(try await guesser.call(client, .post, "/api/session/login", wrong).status == .unauthorized)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<30 {
                    group.addTask { try await guesser.call(client, .post, "/api/session/login", wrong).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 9, "10 tries in all: \(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 21)
        }
    }

    /// bcrypt reads 72 bytes: a longer password would be accepted by its first 72 alone.
    @Test func passwordsLongerThanBcryptReadsAreRefused() async throws {
        let box = try WebTestBox()
        let long = String(repeating: "ä", count: 40)  // 80 bytes
        try await Application(router: box.web.router()).test(.router) { client in
            let reply = try await Guest().call(
                client, .post, "/api/session/setup", setup(long, code: box.setupCode.description))
            #expect(reply.status == .badRequest)
            #expect(reply.error?.contains("at most 72 bytes") == true, "\(reply.text)")
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLayer(yaml: "admin_password: \(String(repeating: "x", count: 73))", path: "ravebox.yaml")
        }
    }

    /// Before: a form body over 4 KiB answered 500.
    @Test func aFormBodyOverFourKiBIsRefusedWith413() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let body = ByteBuffer(string: "role=mod&password=" + String(repeating: "x", count: 5000))
            let reply = try await Guest().send(
                client, .post, "/login", body: body, contentType: "application/x-www-form-urlencoded")
            #expect(reply.status == .contentTooLarge)
        }
    }
}
