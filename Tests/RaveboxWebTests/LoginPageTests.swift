import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxStore
import Testing

@testable import RaveboxWeb

@Suite struct LoginPageTests {
    func form(
        _ guest: Guest, _ client: some TestClientProtocol, _ path: String, _ body: String
    ) async throws
        -> Guest.Reply
    {
        try await guest.send(
            client, .post, path, body: ByteBuffer(string: body), contentType: "application/x-www-form-urlencoded")
    }

    func privilege(_ guest: Guest, _ client: some TestClientProtocol) async throws -> String {
        try await guest.call(client, .get, "/api/session").decode(SessionReply.self).privilege
    }

    @Test func firstRunPageSetsTheAdminPasswordOnceThenSendsToLogin() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let guest = Guest()
            let login = try await guest.call(client, .get, "/login")
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/setup")
            let setup = try await guest.call(client, .get, "/setup")
            #expect(setup.status == .ok)
            #expect(String(decoding: setup.body, as: UTF8.self).contains("name=\"password\""))
            let code = "code=\(box.setupCode)&"
            let differ = try await form(
                guest, client, "/setup", code + "password=party-password&confirm=party-passw0rd")
            #expect(differ.status == .badRequest)
            #expect(String(decoding: differ.body, as: UTF8.self).contains("differ"))
            let short = try await form(guest, client, "/setup", code + "password=short&confirm=short")
            #expect(short.status == .badRequest)
            let wrongCode = try await form(
                guest, client, "/setup", "code=0000-0000&password=party-password&confirm=party-password")
            #expect(wrongCode.status == .forbidden)
            #expect(wrongCode.text.contains("That is not the setup code."))
            #expect(try await !AdminCredentials.adminPasswordIsSet(in: box.store))
            let done = try await form(guest, client, "/setup", code + "password=party-password&confirm=party-password")
            #expect(done.status == .seeOther)
            #expect(try await privilege(guest, client) == "admin")
            // Closed once set: nobody else can take the box over.
            let again = try await form(
                Guest(), client, "/setup", code + "password=other-password&confirm=other-password")
            #expect(again.headers[.location] == "/login")
            #expect(try AdminCredentials.verify("party-password", in: box.store))
        }
    }

    @Test func modLogsInAndOutThroughThePages() async throws {
        let box = try WebTestBox()
        try AdminCredentials.install(password: "admin-password", in: box.store)
        try AdminCredentials.install(password: "mod-password", role: .mod, in: box.store)
        try await Application(router: box.web.router()).test(.router) { client in
            let mod = Guest()
            let page = try await mod.call(client, .get, "/login")
            #expect(page.status == .ok)
            let wrong = try await form(mod, client, "/login", "role=mod&password=guess-guess")
            #expect(wrong.status == .unauthorized)
            #expect(String(decoding: wrong.body, as: UTF8.self).contains("not right"))
            #expect(try await privilege(mod, client) == "guest")
            let right = try await form(mod, client, "/login", "role=mod&password=mod-password")
            #expect(right.status == .seeOther)
            #expect(try await privilege(mod, client) == "mod")
            let home = try await mod.call(client, .get, "/")
            #expect(home.text.contains("<button type=\"submit\">Log out mod</button>"))
            #expect(try await form(mod, client, "/logout", "").status == .seeOther)
            #expect(try await privilege(mod, client) == "guest")
            let guestHome = try await mod.call(client, .get, "/")
            #expect(String(decoding: guestHome.body, as: UTF8.self).contains("href=\"/login\""))
        }
    }

    /// Guessing is limited: after 10 wrong passwords in 30 s even the right one waits; right passwords
    /// alone never hit the limit (a host logging in on several phones).
    @Test func onlyWrongPasswordsCountTowardTheLoginLimit() async throws {
        let box = try WebTestBox()
        try AdminCredentials.install(password: "admin-password", in: box.store)
        try await Application(router: box.web.router()).test(.router) { client in
            let right = "{\"role\": \"admin\", \"password\": \"admin-password\"}"
            let wrong = "{\"role\": \"admin\", \"password\": \"guess-guess\"}"
            for _ in 0..<15 {
                #expect(try await Guest().call(client, .post, "/api/session/login", right).status == .ok)
            }
            // In memory there is no device address, so the limit is per session here (per device on a box).
            let guesser = Guest()
            for _ in 0..<10 {
                #expect(try await guesser.call(client, .post, "/api/session/login", wrong).status == .unauthorized)
            }
            let refused = try await guesser.call(client, .post, "/api/session/login", right)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.error?.hasPrefix("Too many wrong passwords. Try again in ") == true, "\(refused.text)")
        }
    }
}
