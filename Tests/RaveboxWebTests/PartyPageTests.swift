import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import Testing

@testable import RaveboxWeb

@Suite struct PartyPageTests {
    @Test func pageShowsTheQueueAndEscapesTitles() async throws {
        let box = try WebTestBox(songs: [("<script>alert(1)</script>", "Tom & Jerry"), ("Calm", "Quiet")])
        _ = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil)
        try await Application(router: box.web.router()).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                #expect(html.contains("Tom &amp; Jerry – &lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(!html.contains("<script>alert(1)"))
                #expect(html.contains("<option value=\"\(box.songIDs[1])\">Quiet – Calm"))
                #expect(html.contains("Nothing is playing"))
            }
        }
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
        #expect(try box.store.queue().map(\.songID) == [box.songIDs[2]])
    }
}
