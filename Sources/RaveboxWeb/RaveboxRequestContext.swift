import Foundation
import Hummingbird
import HummingbirdWebSocket

/// Per-request state: the guest's anonymous session id, set by ``GuestSessionMiddleware``.
public struct RaveboxRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// Anonymous session id of the guest (cookie `rb_session`).
    public var session: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        session = nil
    }
}

/// Gives every guest an anonymous session cookie, so requests and (later) votes can be told apart.
struct GuestSessionMiddleware: RouterMiddleware {
    static let cookieName = "rb_session"

    func handle(
        _ request: Request, context: RaveboxRequestContext,
        next: (Request, RaveboxRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let existing = request.cookies[Self.cookieName]?.value, Self.isWellFormed(existing) {
            context.session = existing
            return try await next(request, context)
        }
        let session = UUID().uuidString.lowercased()
        context.session = session
        var response = try await next(request, context)
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: session, maxAge: 7 * 24 * 3600, path: "/", httpOnly: true,
                sameSite: .lax))
        return response
    }

    static func isWellFormed(_ value: String) -> Bool {
        value.count == 36 && value.allSatisfy { $0.isHexDigit || $0 == "-" }
    }
}
