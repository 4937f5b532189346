import Foundation
import Hummingbird
import HummingbirdWebSocket
import RaveboxCore

/// Per-request state: who is asking (session, device, privilege), set by ``GuestSessionMiddleware``.
public struct RaveboxRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The guest's session, when the cookie named one or a route began one (``Sessions/ensure(_:)``).
    public let sessionSlot = SessionSlot()
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

/// Loads the session the `rb_session` cookie names, so every route can check its privilege, and sends the
/// browser the token of a session that began or changed during the request (`HttpOnly; SameSite=Lax`, for as
/// long as a guest's session can last). A cookie the box did not issue is ignored: a new session, with a new
/// token, begins when a route needs one.
struct GuestSessionMiddleware: RouterMiddleware {
    static let cookieName = "rb_session"
    let sessions: Sessions

    func handle(
        _ request: Request, context: RaveboxRequestContext,
        next: (Request, RaveboxRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let (session, renewed) = try await sessions.load(
            token: request.cookies[Self.cookieName]?.value, now: PartySettings.now())
        {
            context.sessionSlot.load(session, issue: renewed)
            context.privilege = session.privilege
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // A session that began for a refused request (a wrong password, a vote too many) still goes to the
            // browser, so the next try is the same guest's.
            guard context.sessionSlot.tokenToIssue != nil else { throw error }
            let refusal = JSONErrorMiddleware<RaveboxRequestContext>.apiError(error, request: request, context: context)
            response = try refusal.response(from: request, context: context)
        }
        if let token = context.sessionSlot.tokenToIssue {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: token, maxAge: Int(SessionLifetime.guest.absolute), path: "/",
                    httpOnly: true, sameSite: .lax))
        }
        return response
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
