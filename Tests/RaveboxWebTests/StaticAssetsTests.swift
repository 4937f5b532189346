import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RaveboxWeb

@Suite struct StaticAssetsTests {
    @Test func pagesLinkVersionedAssetsThatAreCachedForAYear() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let page = try await Guest().call(client, .get, "/").text
            let path = try #require(StaticAssets.shared.paths["party.js"])
            #expect(page.contains("<script src=\"\(path)\"></script>"))
            #expect(path.range(of: #"^/static/party\.[0-9a-f]{8}\.js$"#, options: .regularExpression) != nil)
            let script = try await Guest().call(client, .get, path)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(script.body == Data(PackageResources.party_js))
            let etag = try #require(script.headers[.eTag])
            let again = try await Guest().call(client, .get, path, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)
        }
    }

    @Test func plainNamesAreRevalidatedAndUnknownFilesAreNotFound() async throws {
        let box = try WebTestBox()
        try await Application(router: box.web.router()).test(.router) { client in
            let css = try await Guest().call(client, .get, "/static/ravebox.css")
            #expect(css.status == .ok)
            #expect(css.headers[.cacheControl] == "no-cache")
            let missing = try await Guest().call(client, .get, "/static/nothing.js")
            #expect(missing.status == .notFound)
        }
    }

    @Test func assetsAreGzippedOnceAndServedToThoseWhoAcceptIt() async throws {
        let box = try WebTestBox()
        let path = try #require(StaticAssets.shared.paths["ravebox.css"])
        try await Application(router: box.web.router()).test(.router) { client in
            let zipped = try await Guest().call(client, .get, path, headers: [.acceptEncoding: "gzip, deflate"])
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(Array(zipped.body.prefix(2)) == [0x1f, 0x8b])
            #expect(zipped.body.count < PackageResources.ravebox_css.count / 2)
        }
    }

    @Test func acceptEncodingIsReadAsBrowsersWriteIt() {
        #expect(Gzip.isAccepted(by: "gzip, deflate, br"))
        #expect(Gzip.isAccepted(by: "br;q=1.0, GZIP;q=0.5"))
        #expect(Gzip.isAccepted(by: "*"))
        #expect(!Gzip.isAccepted(by: "gzip;q=0"))
        #expect(!Gzip.isAccepted(by: "br"))
        #expect(!Gzip.isAccepted(by: nil))
    }

    /// The page weight budget of issue 4 (60 KB compressed for the party page's first load) starts with
    /// the assets: their gzipped sizes together stay well inside it.
    @Test func partyPageAssetsFitTheBudget() {
        let files = [
            PackageResources.ravebox_css, PackageResources.common_js, PackageResources.party_js,
            PackageResources.icon_svg,
        ]
        let sizes = files.map { Gzip.compress($0).map(\.count) ?? .max }
        #expect(sizes.reduce(0, +) < 30 * 1024)
    }
}
