import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxStore
import Testing

@testable import RaveboxWeb

/// Mods log in with a one-time code from the box's screen (setting `modScreenCodes`): no reusable password
/// crosses the Wi-Fi. The code is shown only on the screen (read here the way the engine's screen reads it),
/// logs in only the phone that asked for it, once, and only while the admin has the setting on.
@Suite struct ModScreenCodeTests {
    /// What the box's screen shows now.
    func screen(_ box: WebTestBox) throws -> String? {
        try AdminCredentials.modCodeToShow(now: PartySettings.now(), in: box.store)?.code.description
    }

    func privilege(_ guest: Guest, _ client: some TestClientProtocol) async throws -> String {
        try await guest.call(client, .get, "/api/session").decode(SessionReply.self).privilege
    }

    func codeLogin(_ code: String) -> String { "{\"role\": \"mod\", \"code\": \"\(code)\"}" }

    @Test func aCodeFromTheScreenMakesThePhoneThatAskedAModOnce() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let phone = Guest()
            let off = try await phone.call(client, .post, "/api/session/mod-code")
            #expect(off.status == .forbidden, "the admin has not turned screen codes on")
            #expect(try screen(box) == nil)

            try await box.set(["modScreenCodes": .bool(true)])
            let asked = try await phone.call(client, .post, "/api/session/mod-code")
            #expect(asked.status == .ok, "\(asked.text)")
            let code = try #require(try screen(box))
            #expect(!asked.text.contains(code) && !asked.text.contains(code.replacingOccurrences(of: "-", with: "")))
            #expect(asked.text.contains("\"expiresIn\":120"), "\(asked.text)")

            // Someone else on the Wi-Fi who read the screen cannot use the code: it is this phone's.
            let bystander = Guest()
            _ = try await bystander.call(client, .get, "/api/session")
            let stolen = try await bystander.call(client, .post, "/api/session/login", codeLogin(code))
            #expect(stolen.status == .unauthorized)
            #expect(try await privilege(bystander, client) == "guest")

            let before = try #require(phone.token)
            let login = try await phone.call(client, .post, "/api/session/login", codeLogin(code.lowercased()))
            #expect(login.status == .ok, "\(login.text)")
            #expect(try await privilege(phone, client) == "mod")
            #expect(phone.token != before, "a new token at the privilege change")
            #expect(try await phone.call(client, .post, "/api/playback/skip").status == .accepted)
            #expect(try screen(box) == nil, "the code is used up and leaves the screen")

            // Used once: logging out and typing it again does nothing.
            _ = try await phone.call(client, .post, "/api/session/logout")
            #expect(try await phone.call(client, .post, "/api/session/login", codeLogin(code)).status == .unauthorized)
            #expect(try await privilege(phone, client) == "guest")
        }
    }

    @Test func wrongTriesBurnTheCodeAndTheSettingOffRefusesIt() async throws {
        let box = try WebTestBox()
        try await box.set(["modScreenCodes": .bool(true)])
        try await Application(router: box.web.router()).test(.router) { client in
            let phone = Guest()
            #expect(try await phone.call(client, .post, "/api/session/mod-code").status == .ok)
            let code = try #require(try screen(box))
            for _ in 0..<3 {
                let wrong = try await phone.call(client, .post, "/api/session/login", codeLogin("ZZZZ-ZZZZ"))
                #expect(wrong.status == .unauthorized)
            }
            #expect(try screen(box) == nil, "three wrong tries and the code is gone")
            #expect(try await phone.call(client, .post, "/api/session/login", codeLogin(code)).status == .unauthorized)

            // A new code replaces the last; with the setting off it logs nobody in.
            #expect(try await phone.call(client, .post, "/api/session/mod-code").status == .ok)
            let second = try #require(try screen(box))
            try await box.set(["modScreenCodes": .bool(false)])
            let refused = try await phone.call(client, .post, "/api/session/login", codeLogin(second))
            #expect(refused.status == .forbidden)
            #expect(try await privilege(phone, client) == "guest")
            // Only mods log in with a code; a body with neither is a 400 sentence.
            try await box.set(["modScreenCodes": .bool(true)])
            let admin = try await phone.call(
                client, .post, "/api/session/login", "{\"role\": \"admin\", \"code\": \"\(second)\"}")
            #expect(admin.status == .badRequest)
            let neither = try await phone.call(client, .post, "/api/session/login", "{\"role\": \"mod\"}")
            #expect(neither.status == .badRequest && neither.error != nil)
        }
    }

    @Test func aCodeExpiresAfterTwoMinutes() async throws {
        let box = try WebTestBox()
        let guest = try await box.store.beginSession(device: nil, now: 1_000)
        let session = guest.id
        let code = try AdminCredentials.issueModCode(session: session, now: 1_000, in: box.store)
        #expect(try AdminCredentials.modCodeToShow(now: 1_119, in: box.store)?.code == code)
        #expect(try AdminCredentials.modCodeToShow(now: 1_120, in: box.store) == nil)
        let late = try AdminCredentials.redeemModCode(code.description, session: session, now: 1_121, in: box.store)
        #expect(late == .wrongCode)
        #expect(try await box.store.session(token: guest.token)?.privilege == .guest)
    }

    @Test func theLoginPageOffersTheCodeWithoutJavaScript() async throws {
        let box = try WebTestBox()
        try AdminCredentials.install(password: "admin-secret-password", in: box.store)
        try await box.set(["modScreenCodes": .bool(true)])
        try await Application(router: box.web.router()).test(.router) { client in
            let phone = Guest()
            let page = try await phone.call(client, .get, "/login")
            #expect(page.text.contains("action=\"/login/code\""))
            let shown = try await phone.send(
                client, .post, "/login/code", body: ByteBuffer(), contentType: "application/x-www-form-urlencoded")
            #expect(shown.status == .ok)
            #expect(shown.text.contains("name=\"code\""))
            let code = try #require(try screen(box))
            let login = try await phone.send(
                client, .post, "/login", body: ByteBuffer(string: "role=mod&code=\(code)"),
                contentType: "application/x-www-form-urlencoded")
            #expect(login.status == .seeOther)
            #expect(try await privilege(phone, client) == "mod")
        }
    }
}
