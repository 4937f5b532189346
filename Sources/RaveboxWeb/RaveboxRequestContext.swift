import Foundation
import Hummingbird
import HummingbirdWebSocket
import RaveboxCore

/// Per-request state: who is asking (session, device, privilege), set by ``GuestSessionMiddleware``.
public struct RaveboxRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// Anonymous session id of the guest (cookie `rb_session`).
    public var session = ""
    /// The client's MAC address (on the box's own network) or IP address, when the connection has
    /// one: the device for one vote per device.
    public let device: String?
    /// The client's IP address (`nil` in in-memory tests).
    public let clientAddress: String?
    /// The box's address the client connected to (`nil` in in-memory tests).
    public let localAddress: String?
    /// What this session may do.
    public var privilege = Privilege.guest

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        clientAddress = source.channel.remoteAddress?.ipAddress
        localAddress = source.channel.localAddress?.ipAddress
        device = ARPTable.device(for: clientAddress)
    }

    /// JSON bodies of this API are small; anything larger is refused (413) before it is read whole.
    public var maxUploadSize: Int { 64 * 1024 }
}

/// Gives every guest an anonymous session cookie (`HttpOnly; SameSite=Lax`) and loads the session's
/// privilege, so every route can check it.
struct GuestSessionMiddleware: RouterMiddleware {
    static let cookieName = "rb_session"
    let sessions: Sessions

    func handle(
        _ request: Request, context: RaveboxRequestContext,
        next: (Request, RaveboxRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let existing = request.cookies[Self.cookieName]?.value
        let id = existing.flatMap { Self.isWellFormed($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        let session = try await sessions.session(id: id, device: context.device)
        context.session = id
        context.privilege = session.privilege
        var response = try await next(request, context)
        if existing != id {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: id, maxAge: 7 * 24 * 3600, path: "/", httpOnly: true,
                    sameSite: .lax))
        }
        return response
    }

    static func isWellFormed(_ value: String) -> Bool {
        value.count == 36 && value.allSatisfy { $0.isHexDigit || $0 == "-" }
    }
}

/// What routes ask of the request's path and privilege.
extension RaveboxRequestContext {
    /// The `{id}` of a queue route; 400 when it is not a whole number.
    func entryID() throws -> Int64 {
        guard let id = parameters.get("id").flatMap(Int64.init) else {
            throw APIError(.badRequest, "The queue entry id must be a whole number.")
        }
        return id
    }

    /// Refuses guests with "Only mods and the admin may `action`; log in first."
    func requireMod(to action: String) throws {
        guard privilege >= .mod else {
            throw APIError(.forbidden, "Only mods and the admin may \(action); log in first.")
        }
    }

    /// Sends a guest who may not see a page to the login page (a phone without JavaScript gets a page,
    /// not a JSON error); nil when this session has the `needed` privilege.
    func pageGate(_ needed: Privilege) -> Response? {
        privilege >= needed ? nil : Response(status: .seeOther, headers: [.location: "/login"])
    }
}
