/// Why a party rule refused something: what the guest reads, and the kind of refusal the web maps to an
/// HTTP status.
///
/// Every rule in `RaveboxCore` (permissions, votes, requests, queue edits, settings) throws this one
/// type, so the web process needs a single mapping:
///
/// ```swift
/// do {
///     try PartyAction.vote(.down).authorize(privilege, at: settings.interactivity)
/// } catch {
///     return Response(status: error.httpStatus, json: ["error": error.message])
/// }
/// ```
///
/// The sentence is written for a guest holding a phone at a party: short, no jargon, and saying what to
/// do next where there is something to do.
public enum RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request itself is malformed or out of range (HTTP 400): a vote of 2, a setting out of range.
    case badRequest(String)
    /// Allowed for someone else, or at another interactivity level, but not for this caller now (HTTP 403).
    case forbidden(String)
    /// The thing named no longer exists, for example a queue entry that has already played (HTTP 404).
    case notFound(String)
    /// The request does not fit the current state, e.g. a reorder computed on a stale queue (HTTP 409).
    case conflict(String)
    /// Too many requests from one voter; `retryAfter` is in seconds and becomes a `Retry-After` header
    /// (HTTP 429).
    case tooManyRequests(String, retryAfter: Double)

    /// The kind of refusal, without its sentence.
    public enum Category: String, Sendable, CaseIterable {
        case badRequest, forbidden, notFound, conflict, tooManyRequests

        /// The HTTP status code the web answers with.
        public var httpStatus: Int {
            switch self {
            case .badRequest: 400
            case .forbidden: 403
            case .notFound: 404
            case .conflict: 409
            case .tooManyRequests: 429
            }
        }
    }

    public var category: Category {
        switch self {
        case .badRequest: .badRequest
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .tooManyRequests: .tooManyRequests
        }
    }

    /// The HTTP status code for this refusal.
    public var httpStatus: Int { category.httpStatus }

    /// The sentence shown to the guest, as the `error` field of the JSON answer.
    public var message: String {
        switch self {
        case .badRequest(let message), .forbidden(let message), .notFound(let message), .conflict(let message),
            .tooManyRequests(let message, _):
            message
        }
    }

    public var description: String { "\(category.rawValue) (\(httpStatus)): \(message)" }
}
