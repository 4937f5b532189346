import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxWeb

@Suite struct ScreenAPITests {
    @Test func modsSeeTheScreenAsPNGAndItsJoinCodeDecodesToTheParty() async throws {
        let box = try WebTestBox(site: SiteInfo(hostname: "ravebox.lan", port: 80, wifiName: "Party"))
        try await Application(router: box.web.router()).test(.router) { client in
            #expect(try await Guest().call(client, .get, "/api/screen.png").status == .forbidden)
            let mod = try await box.login(.mod, client)
            let png = try await mod.call(client, .get, "/api/screen.png")
            #expect(png.status == .ok && png.headers[.contentType] == "image/png")
            #expect(Array(png.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(try await mod.call(client, .get, "/api/screen.png?layout=disco").status == .badRequest)

            let changed = try await mod.call(client, .put, "/api/screen/program", #"{"program": "join"}"#)
            #expect(changed.status == .ok)
            #expect(try await box.store.boxSettings().screenProgram == .join)
            let bad = try await mod.call(client, .put, "/api/screen/program", #"{"program": "tv"}"#)
            #expect(bad.status == .badRequest)

            let join = try await mod.call(client, .get, "/api/screen.png")
            let folder = try TemporaryFolder("screen-png")
            defer { folder.remove() }
            let file = folder.file("join.png")
            try join.body.write(to: URL(fileURLWithPath: file))
            let decoded = try ProcessRunner.run("/usr/bin/zbarimg", ["--raw", "-q", file])
            #expect(decoded.standardOutput.contains("http://ravebox.lan/"), "\(decoded.standardOutput)")
            #expect(decoded.standardOutput.contains("WIFI:"), "\(decoded.standardOutput)")
        }
    }
}
