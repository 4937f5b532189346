import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxWeb

@Suite struct CaptivePortalTests {
    static let site = SiteInfo(hostname: "ravebox.lan", port: 80)

    /// Each OS's probe: where it goes and what it reads when the network is online.
    static let probes: [(host: String, path: String, status: HTTPResponse.Status, body: String)] = [
        ("connectivitycheck.gstatic.com", "/generate_204", .noContent, ""),
        ("clients3.google.com", "/generate_204", .noContent, ""),
        ("www.google.com", "/gen_204", .noContent, ""),
        ("captive.apple.com", "/hotspot-detect.html", .ok, CaptivePortal.appleSuccess),
        ("www.apple.com", "/library/test/success.html", .ok, CaptivePortal.appleSuccess),
        ("www.msftconnecttest.com", "/connecttest.txt", .ok, "Microsoft Connect Test"),
        ("www.msftncsi.com", "/ncsi.txt", .ok, "Microsoft NCSI"),
        ("detectportal.firefox.com", "/success.txt", .ok, "success\n"),
        ("detectportal.firefox.com", "/canonical.html", .ok, CaptivePortal.firefoxCanonical),
    ]

    /// A GET with the given Host header, over a real socket (test clients always send `localhost`).
    func get(_ client: some TestClientProtocol, _ path: String, host: String) async throws -> RawHTTP.Response {
        let port = try #require(client.port)
        return try #require(RawHTTP.request("GET", port: port, path: path, headers: ["Host": host]))
    }

    @Test func everyProbeOpensThePortalInPopupMode() async throws {
        let box = try WebTestBox(site: Self.site)
        try await Application(router: box.web.router()).test(.live) { client in
            for probe in Self.probes {
                let reply = try await get(client, probe.path, host: probe.host)
                #expect(reply.status == 302, "\(probe.host)\(probe.path)")
                #expect(reply.headers["location"] == "http://ravebox.lan/", "\(probe.host)\(probe.path)")
                #expect(reply.headers["cache-control"] == "no-store")
            }
        }
    }

    @Test func everyProbeReadsOnlineInQuietMode() async throws {
        let box = try WebTestBox(site: Self.site)
        try await box.set(["captivePortal": .string("quiet")])
        try await Application(router: box.web.router()).test(.live) { client in
            for probe in Self.probes {
                let reply = try await get(client, probe.path, host: probe.host)
                #expect(reply.status == Int(probe.status.code), "\(probe.host)\(probe.path)")
                #expect(reply.text == probe.body, "\(probe.host)\(probe.path)")
            }
            // Windows opens this page itself: it always leads to the party.
            let windows = try await get(client, "/redirect", host: "www.msftconnecttest.com")
            #expect(windows.status == 302)
            #expect(windows.headers["location"] == "http://ravebox.lan/")
        }
    }

    @Test func otherHostsAreSentToThePartyPageAndTheBoxsOwnNamesAreServed() async throws {
        let box = try WebTestBox(site: Self.site)
        try await Application(router: box.web.router()).test(.live) { client in
            for host in ["example.com", "www.bbc.co.uk:80", "ravebox.lan.example"] {
                for path in ["/", "/news/world?x=1", "/api/state"] {
                    let reply = try await get(client, path, host: host)
                    #expect(reply.status == 302, "\(host)\(path)")
                    #expect(reply.headers["location"] == "http://ravebox.lan/")
                }
            }
            for host in ["ravebox.lan", "RAVEBOX.LAN.", "ravebox.lan:80", "localhost:8080"] {
                let reply = try await get(client, "/api/state", host: host)
                #expect(reply.status == 200, "\(host)")
            }
        }
    }

    @Test func hostNamesAreComparedWithoutPortCaseOrTrailingDot() {
        let portal = CaptivePortal(site: Self.site)
        #expect(portal.isOwnHost("ravebox.lan", localAddress: "10.42.0.1"))
        #expect(portal.isOwnHost("Ravebox.Lan.:8080", localAddress: "10.42.0.1"))
        #expect(portal.isOwnHost("10.42.0.1:80", localAddress: "10.42.0.1"))
        #expect(portal.isOwnHost("[::1]:8080", localAddress: "::1"))
        #expect(portal.isOwnHost(nil, localAddress: "10.42.0.1"))
        #expect(!portal.isOwnHost("10.42.0.2", localAddress: "10.42.0.1"))
        #expect(!portal.isOwnHost("captive.apple.com", localAddress: "10.42.0.1"))
        #expect(!portal.isOwnHost("[2001:db8::1]", localAddress: "::1"))
    }

    /// On the home network the box is found by its mDNS name, which the hotspot's DNS name does not cover.
    @Test func theBoxsMDNSNamesAreItsOwn() {
        #expect(SiteInfo.mdnsNames(hostname: "ravebox.lan", systemHostname: "ravebox") == ["ravebox.local"])
        #expect(SiteInfo.mdnsNames(hostname: "Party", systemHostname: "ravebox") == ["party.local", "ravebox.local"])
        #expect(SiteInfo.mdnsNames(hostname: "localhost", systemHostname: "") == [])
        var site = Self.site
        site.otherNames = SiteInfo.mdnsNames(hostname: site.hostname, systemHostname: "kitchen-box")
        let portal = CaptivePortal(site: site)
        #expect(portal.isOwnHost("ravebox.local", localAddress: "192.168.1.20"))
        #expect(portal.isOwnHost("Kitchen-Box.local.:80", localAddress: "192.168.1.20"))
        #expect(!portal.isOwnHost("other.local", localAddress: "192.168.1.20"))
        #expect(!CaptivePortal(site: Self.site).isOwnHost("ravebox.local", localAddress: "192.168.1.20"))
    }

    /// Over a real socket (so the box sees the phone's address): a phone is captive until it opens the
    /// party page, then its probes read "online" and the RFC 8908 API says so.
    @Test func aPhoneThatOpenedThePartyPageIsLetThrough() async throws {
        let box = try WebTestBox(site: Self.site)
        try await Application(router: box.web.router()).test(.live) { client in
            let before = try await get(client, "/generate_204", host: "connectivitycheck.gstatic.com")
            #expect(before.status == 302)
            let api = try await get(client, "/api/captive-portal", host: "ravebox.lan")
            #expect(api.headers["content-type"] == "application/captive+json")
            #expect(api.text == "{\"captive\":true,\"user-portal-url\":\"http:\\/\\/ravebox.lan\\/\"}")
            let page = try await get(client, "/", host: "ravebox.lan")
            #expect(page.status == 200)
            let after = try await get(client, "/generate_204", host: "connectivitycheck.gstatic.com")
            #expect(after.status == 204)
            let apple = try await get(client, "/hotspot-detect.html", host: "captive.apple.com")
            #expect(apple.text == CaptivePortal.appleSuccess)
            let apiAfter = try await get(client, "/api/captive-portal", host: "ravebox.lan")
            #expect(apiAfter.text.hasPrefix("{\"captive\":false,"))
        }
    }

    @Test func visitsExpireAndTheTableStaysBounded() {
        let portal = CaptivePortal(site: Self.site)
        portal.visited("10.42.0.7", now: 1000)
        #expect(!portal.isCaptive("10.42.0.7", mode: .popup, now: 1000 + 60))
        #expect(portal.isCaptive("10.42.0.7", mode: .popup, now: 1000 + CaptivePortal.visitLifetime))
        #expect(portal.isCaptive("10.42.0.8", mode: .popup, now: 1000))
        #expect(!portal.isCaptive("10.42.0.8", mode: .quiet, now: 1000))
        for index in 0...CaptivePortal.maximumDevices {
            portal.visited("10.0.\(index / 256).\(index % 256)", now: 2000 + Double(index))
        }
        // The newest visitor is remembered after the table was trimmed.
        let newest = CaptivePortal.maximumDevices
        #expect(!portal.isCaptive("10.0.\(newest / 256).\(newest % 256)", mode: .popup, now: 9000))
    }
}
