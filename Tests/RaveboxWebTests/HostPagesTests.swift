import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import Testing

@testable import RaveboxWeb

@Suite struct HostPagesTests {
    @Test(arguments: ["/join", "/lights", "/settings"])
    func guestsAreSentToTheLoginPage(path: String) async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let reply = try await Guest().call(client, .get, path)
            #expect(reply.status == .seeOther)
            #expect(reply.headers[.location] == "/login")
        }
    }

    @Test func joinPageShowsTheWiFiAndTheAddressAsQRCodesAndText() async throws {
        let site = SiteInfo(hostname: "ravebox.lan", port: 80, wifiName: "Party; Box", wifiPassword: "dance-all-night")
        let box = try WebTestBox(site: site)
        try await Application(router: box.web.router()).test(.router) { client in
            let mod = try await box.login(.mod, client)
            let page = try await mod.call(client, .get, "/join")
            #expect(page.status == .ok)
            #expect(page.text.contains("<span id=\"wifi-name\">Party; Box</span>"))
            #expect(page.text.contains("<span id=\"wifi-password\">dance-all-night</span>"))
            #expect(page.text.contains("<span id=\"party-url\">http://ravebox.lan/</span>"))
            #expect(page.text.components(separatedBy: "role=\"img\"").count - 1 == 2)
            #expect(page.text.contains("aria-label=\"QR code to join the Wi-Fi Party; Box\""))
        }
    }

    @Test func joinPageWithoutAWiFiNameShowsTheAddressOnly() async throws {
        let box = try WebTestBox(site: SiteInfo(hostname: "localhost", port: 8080))
        try await Application(router: box.web.router()).test(.router) { client in
            let admin = try await box.login(.admin, client)
            let page = try await admin.call(client, .get, "/join").text
            #expect(!page.contains("wifi-name"))
            #expect(page.contains("<span id=\"party-url\">http://localhost:8080/</span>"))
            #expect(page.contains("No Wi-Fi name is configured"))
        }
    }

    @Test func settingsPageListsEverySettingWithWhatItAccepts() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let admin = try await box.login(.admin, client)
            let page = try await admin.call(client, .get, "/settings")
            #expect(page.status == .ok)
            for descriptor in SettingsSchema.descriptors {
                #expect(page.text.contains("id=\"setting-\(descriptor.key)\""), "\(descriptor.key) is missing")
                #expect(page.text.contains("Accepts \(descriptor.kind.accepted)."), "\(descriptor.key)")
            }
            for group in SettingGroup.allCases {
                #expect(page.text.contains("<legend>\(group.title)</legend>"))
            }
            #expect(page.text.contains("min=\"1\" max=\"100\" step=\"1\""))  // downvotesToKick
            #expect(page.text.contains("<option value=\"popup\" selected>popup</option>"))
            let mod = try await box.login(.mod, client)
            #expect(try await mod.call(client, .get, "/settings").headers[.location] == "/login")
        }
    }

    @Test func settingsFormShowsARefusalUnderTheFieldAndSavesAGoodValue() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let admin = try await box.login(.admin, client)
            func post(_ body: String) async throws -> Guest.Reply {
                try await admin.send(
                    client, .post, "/settings", body: ByteBuffer(string: body),
                    contentType: "application/x-www-form-urlencoded")
            }
            let refused = try await post("key=downvotesToKick&value=0")
            #expect(refused.status == .badRequest)
            #expect(
                refused.text.contains(
                    "<p class=\"error\" id=\"error-downvotesToKick\" role=\"alert\">downvotesToKick must be a whole "
                        + "number from 1 to 100, not 0.</p>"))
            #expect(try await box.store.boxSettings().downvotesToKick == 2)
            let saved = try await post("key=downvotesToKick&value=3")
            #expect(saved.status == .seeOther)
            #expect(try await box.store.boxSettings().downvotesToKick == 3)
            let choice = try await post("key=captivePortal&value=quiet")
            #expect(choice.status == .seeOther)
            #expect(try await box.store.boxSettings().captivePortal == .quiet)
        }
    }

    @Test func lightsPageSaysWhatIsThere() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let mod = try await box.login(.mod, client)
            let page = try await mod.call(client, .get, "/lights")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"preview\""))
            #expect(page.text.contains("No LED outputs are set up on this box."))
        }
    }

    /// Every template ships inside the binary and renders: a broken one would only show on a phone.
    @Test func everyTemplateRendersItsPage() {
        for source in Templates.sources where source.name != "page" && source.name != "entry" {
            let html = Templates.render(source.name, ["assets": StaticAssets.shared.templatePaths])
            #expect(html.hasPrefix("<!doctype html>"), "\(source.name)")
            #expect(html.hasSuffix("</html>\n"), "\(source.name)")
        }
    }
}
