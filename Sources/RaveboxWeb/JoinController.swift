import Foundation
import Hummingbird
import RaveboxCore
import RaveboxQR

/// How phones get to the party: the join page (`/join`, mods: QR codes for the Wi-Fi and the party page to
/// show around) and the RFC 8908 Captive Portal API (`/api/captive-portal`), which tells a phone on the box's
/// Wi-Fi whether it still has to be shown the party page.
struct JoinController: Sendable {
    let site: SiteInfo
    let captive: CaptivePortal
    let settings: PartySettings

    /// The page and the captive portal API; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/join") { request, context in try joinPage(request, context: context) }
        routes.get("/api/captive-portal") { _, context in
            captive.apiResponse(
                captive: captive.isCaptive(context.clientAddress, mode: try await settings.current().captivePortal))
        }
        return routes
    }

    func joinPage(_ request: Request, context: RaveboxRequestContext) throws -> Response {
        if let gate = context.pageGate(.mod) { return gate }
        var model = Templates.baseModel(privilege: context.privilege)
        if let name = site.wifiName {
            let payload = QRCode.wifiPayload(name: name, password: site.wifiPassword)
            model["wifi"] = [
                "name": name, "password": site.wifiPassword ?? "",
                "svg": QRCode(text: payload)?.svg(label: "QR code to join the Wi-Fi \(name)") ?? "",
            ]
        }
        model["url"] = [
            "text": site.partyURL,
            "svg": QRCode(text: site.partyURL)?.svg(label: "QR code for \(site.partyURL)") ?? "",
        ]
        return Templates.html(Templates.render("join", model), request: request)
    }
}
