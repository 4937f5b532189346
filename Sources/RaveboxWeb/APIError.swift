import Foundation
import Hummingbird

/// An error answered as JSON `{"error": "..."}` with a 4xx (or 5xx) status and a sentence a guest understands.
public struct APIError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(["error": message])
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
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
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, Self.sentence(for: error))
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "Something went wrong on the box. Please try again.")
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
