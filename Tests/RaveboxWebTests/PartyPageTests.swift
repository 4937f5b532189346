import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import Testing

@testable import RaveboxWeb

@Suite struct PartyPageTests {
    @Test func pageShowsTheQueueAndEscapesTitles() async throws {
        let box = try WebTestBox(songs: [("<script>alert(1)</script>", "Tom & Jerry"), ("Calm", "Quiet")])
        let id = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil).id
        try await Application(router: box.web.router()).test(.router) { client in
            let page = try await Guest().call(client, .get, "/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.text.contains("<li data-id=\"\(id)\">"))
            #expect(page.text.contains("<span class=\"t\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"))
            #expect(page.text.contains("<span class=\"a\">Tom &amp; Jerry</span>"))
            #expect(!page.text.contains("<script>alert(1)"))
            #expect(page.text.contains("Nothing is playing"))
        }
    }

    /// The boot data for the script sits in a `<script>` block: a title cannot close it early.
    @Test func bootDataCannotEndItsScriptBlock() throws {
        let json = Templates.scriptJSON(["title": "</script><script>alert(1)</script>"])
        #expect(!json.contains("</script"))
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        #expect(decoded["title"] == "</script><script>alert(1)</script>")
    }

    @Test func formRequestWithoutJavaScriptQueuesAndRedirectsHome() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            try await client.execute(
                uri: "/request", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "songId=\(box.songIDs[2])")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/")
            }
            try await client.execute(
                uri: "/request", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "songId=")
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(try await box.store.queue().map(\.songID) == [box.songIDs[2]])
    }

    @Test func searchWithoutJavaScriptListsMatchesWithARequestButtonEach() async throws {
        let box = try WebTestBox(songs: [("Calm Waters", "Quiet"), ("Loud", "Noisy"), ("Calmer", "Quiet")])
        try await Application(router: box.web.router()).test(.router) { client in
            let page = try await Guest().call(client, .get, "/?q=calm")
            #expect(page.status == .ok)
            #expect(page.text.contains("Results for &ldquo;calm&rdquo;"))
            #expect(page.text.contains("value=\"calm\""))
            let requestButtons = page.text.components(separatedBy: "<form method=\"post\" action=\"/request\">")
            #expect(requestButtons.count - 1 == 2)
            #expect(page.text.contains("name=\"songId\" value=\"\(box.songIDs[0])\""))
            #expect(!page.text.contains("name=\"songId\" value=\"\(box.songIDs[1])\""))
            let none = try await Guest().call(client, .get, "/?q=zzzz")
            #expect(none.text.contains("No songs match."))
        }
    }

    @Test func voteFormWithoutJavaScriptSetsTheVoteAndTheButtonShowsIt() async throws {
        let box = try WebTestBox()
        try await box.set(["oneVotePerDevice": .bool(false)])
        let id = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil).id
        try await Application(router: box.web.router()).test(.router) { client in
            let guest = Guest()
            let reply = try await
                (guest.send(
                    client, .post, "/queue/\(id)/vote", body: ByteBuffer(string: "vote=1"),
                    contentType: "application/x-www-form-urlencoded")).status
            #expect(reply == .seeOther)
            #expect(try await box.store.queue().first?.votes == 1)
            let page = try await guest.call(client, .get, "/")
            // Pressed, and pressing again withdraws the vote.
            #expect(page.text.contains("value=\"0\" aria-label=\"Vote up One\" aria-pressed=\"true\""))
            let other = try await Guest().call(client, .get, "/")
            #expect(other.text.contains("value=\"1\" aria-label=\"Vote up One\" aria-pressed=\"false\""))
        }
    }

    /// Controls are in the page for those who may use them, hidden for the others (the script shows
    /// them when the interactivity level changes); emptying and shuffling the queue only for the admin.
    @Test(arguments: [
        (Privilege.guest, Interactivity.upAndDown, false),
        (Privilege.guest, Interactivity.fullControl, true),
        (Privilege.mod, Interactivity.upAndDown, true),
        (Privilege.admin, Interactivity.noControl, true),
    ])
    func controlsFollowPrivilegeAndInteractivity(
        privilege: Privilege, level: Interactivity, shown: Bool
    )
        async throws
    {
        let box = try WebTestBox()
        try await box.setInteractivity(level)
        _ = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil)
        try await Application(router: box.web.router()).test(.router) { client in
            let user = privilege == .guest ? Guest() : try await box.login(privilege, client)
            let page = try await user.call(client, .get, "/").text
            #expect(page.contains("<div id=\"controls\">") == shown)
            #expect(page.contains("<div id=\"controls\" hidden>") == !shown)
            #expect(page.contains("<span class=\"ctl\">") == shown)
            #expect(page.contains("id=\"remove-all\"") == (privilege == .admin))
            #expect(page.contains("href=\"/settings\"") == (privilege == .admin))
            #expect(page.contains("href=\"/join\"") == (privilege >= .mod))
            #expect(page.contains("<div class=\"vote\">") == level.acceptsVotes)
        }
    }

    @Test func pagesAreGzippedForBrowsersThatAcceptIt() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let plain = try await Guest().call(client, .get, "/")
            let zipped = try await Guest().call(client, .get, "/", headers: [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.headers[.vary] == "Accept-Encoding")
            #expect(Array(zipped.body.prefix(2)) == [0x1f, 0x8b])
            #expect(zipped.body.count * 2 < plain.body.count)
            let refused = try await Guest().call(client, .get, "/", headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)
        }
    }
}
