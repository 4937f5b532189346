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
        let session = try sessions.session(id: id, device: context.device)
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
