import Foundation
import Hummingbird
import RaveboxCore
import Synchronization

/// The web side of the captive portal (`docs/captive-portal.md`): requests for other hosts are sent to
/// the party page, the operating systems' connectivity probes are answered by the `captivePortal`
/// setting, and `GET /api/captive-portal` speaks the RFC 8908 Captive Portal API.
public final class CaptivePortal: Sendable {
    /// How long a device that opened the party page counts as "through the portal".
    static let visitLifetime: Double = 6 * 3600
    /// Most devices remembered; the oldest are forgotten first.
    static let maximumDevices = 4096

    let site: SiteInfo
    private let visits = Mutex<[String: Double]>([:])

    init(site: SiteInfo) {
        self.site = site
    }

    /// What each probe expects to read when the network is online.
    enum Probe {
        case noContent
        case body(String, contentType: String)
        /// Not a check: Windows opens this page in the browser. Always the party page.
        case portalPage
    }

    static let probes: [String: Probe] = [
        "/generate_204": .noContent, "/gen_204": .noContent,
        "/hotspot-detect.html": .body(appleSuccess, contentType: "text/html"),
        "/library/test/success.html": .body(appleSuccess, contentType: "text/html"),
        "/connecttest.txt": .body("Microsoft Connect Test", contentType: "text/plain"),
        "/ncsi.txt": .body("Microsoft NCSI", contentType: "text/plain"),
        "/redirect": .portalPage,
        "/success.txt": .body("success\n", contentType: "text/plain"),
        "/canonical.html": .body(firefoxCanonical, contentType: "text/html"),
    ]
    static let appleSuccess = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
    static let firefoxCanonical =
        "<meta http-equiv=\"refresh\" content=\"0;url=https://support.mozilla.org/kb/captive-portal\"/>"

    /// Notes that the device at `address` opened the party page.
    func visited(_ address: String?, now: Double = Date().timeIntervalSince1970) {
        guard let address else { return }
        visits.withLock { visits in
            visits[address] = now
            if visits.count > Self.maximumDevices {
                let fresh = visits.filter { now - $0.value < Self.visitLifetime }
                visits =
                    fresh.count > Self.maximumDevices / 2
                    ? Dictionary(
                        uniqueKeysWithValues: fresh.sorted { $0.value > $1.value }.prefix(Self.maximumDevices / 2).map {
                            ($0.key, $0.value)
                        }) : fresh
            }
        }
    }

    /// Whether the device at `address` still has to be shown the portal.
    func isCaptive(_ address: String?, mode: CaptivePortalMode, now: Double = Date().timeIntervalSince1970) -> Bool {
        guard mode == .popup else { return false }
        guard let address, let seen = visits.withLock({ $0[address] }) else { return true }
        return now - seen >= Self.visitLifetime
    }

    /// Whether `host` (a Host header, perhaps with a port) names this box: its name, one of its mDNS names,
    /// `localhost`, or the address the client connected to. Unknown (no header) counts as this box.
    func isOwnHost(_ host: String?, localAddress: String?) -> Bool {
        guard var name = host?.lowercased(), !name.isEmpty else { return true }
        if name.hasPrefix("[") {
            name = String(name.dropFirst().prefix { $0 != "]" })
        } else if let colon = name.lastIndex(of: ":"), name.firstIndex(of: ":") == colon {
            name = String(name[..<colon])
        }
        if name.hasSuffix(".") { name.removeLast() }
        if name == site.hostname || name == "localhost" || name == localAddress || site.otherNames.contains(name) {
            return true
        }
        // An address literal when the local address is unknown (tests in memory): nothing to compare.
        return localAddress == nil && (name.allSatisfy { $0.isNumber || $0 == "." } || name.contains(":"))
    }

    func redirectToPortal() -> Response {
        Response(status: .found, headers: [.location: site.partyURL, .cacheControl: "no-store"])
    }

    func answer(_ probe: Probe, captive: Bool) -> Response {
        if captive { return redirectToPortal() }
        switch probe {
        case .portalPage:
            return redirectToPortal()
        case .noContent:
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        case .body(let text, let contentType):
            return Response(
                status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The RFC 8908 document.
    struct Status: Encodable {
        var captive: Bool
        var userPortalURL: String

        enum CodingKeys: String, CodingKey {
            case captive
            case userPortalURL = "user-portal-url"
        }
    }

    func apiResponse(captive: Bool) -> Response {
        let data = (try? JSONEncoder.party.encode(Status(captive: captive, userPortalURL: site.partyURL))) ?? Data()
        return Response(
            status: .ok, headers: [.contentType: "application/captive+json", .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Runs before everything else: probes and foreign hosts never reach the session or the routes.
struct CaptivePortalMiddleware: RouterMiddleware {
    let portal: CaptivePortal
    let settings: PartySettings

    func handle(
        _ request: Request, context: RaveboxRequestContext,
        next: (Request, RaveboxRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if let probe = CaptivePortal.probes[path] {
            let mode = (try? await settings.current().captivePortal) ?? .popup
            return portal.answer(probe, captive: portal.isCaptive(context.clientAddress, mode: mode))
        }
        guard portal.isOwnHost(request.head.authority, localAddress: context.localAddress) else {
            return portal.redirectToPortal()
        }
        return try await next(request, context)
    }
}
