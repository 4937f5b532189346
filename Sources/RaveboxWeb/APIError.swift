import Foundation
import Hummingbird
import RaveboxCore
import RaveboxStore

/// An error answered as JSON `{"error": "..."}` with a 4xx (or 5xx) status and a sentence a guest understands.
public struct APIError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    /// Seconds to wait, sent as `Retry-After` (429).
    public var retryAfter: Double?
    /// Further headers the status calls for, such as `Upgrade` with a 426.
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ message: String, retryAfter: Double? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
        self.headers = headers
    }

    /// The HTTP form of a refused rule.
    public init(_ error: RuleError) {
        var retryAfter: Double?
        if case .tooManyRequests(_, let seconds) = error { retryAfter = seconds }
        self.init(HTTPResponse.Status(code: error.httpStatus), error.message, retryAfter: retryAfter)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(["error": message])
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfter { headers[.retryAfter] = String(max(1, Int(retryAfter.rounded(.up)))) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error a route throws into an ``APIError``, so no client ever sees an HTML error page,
/// an empty body or a stack of decoding jargon.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.apiError(error, request: request, context: context)
        }
    }

    /// What a route's error becomes for the client: one sentence and its status.
    static func apiError(_ error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as RuleError: return APIError(error)
        case let error as StoreError:
            switch error {
            case .unknownSong, .unknownEntry: return APIError(.notFound, error.description)
            case .database:
                context.logger.error("database error", metadata: ["error": "\(error)"])
                return APIError(.serviceUnavailable, "The box could not save that. Please try again.")
            }
        case let error as HTTPError: return APIError(error.status, Self.sentence(for: error))
        default:
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError(.internalServerError, "Something went wrong on the box. Please try again.")
        }
    }

    static func sentence(for error: HTTPError) -> String {
        switch error.status {
        case .notFound: "There is nothing at this address."
        case .methodNotAllowed: "That action is not possible here."
        case .contentTooLarge: "That request is too large."
        case .badRequest: "That request could not be read: send JSON as described in the API documentation."
        default: error.body ?? "That did not work."
        }
    }
}
