import Foundation
import Hummingbird

/// Refuses writes that a browser sends on behalf of another site.
///
/// Browsers send `Origin` with every cross-site and same-site `POST`, `PUT`, `PATCH` and `DELETE`; when it
/// is present its host and port must be the `Host` the request was sent to. Requests without `Origin`
/// (curl, scripts, the box's own tools) come from no browser page and pass; together with
/// `SameSite=Lax` session cookies this closes cross-site request forgery.
struct OriginCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        switch request.method {
        case .get, .head, .options:
            return try await next(request, context)
        default:
            break
        }
        if let origin = request.headers[.origin] {
            guard let host = request.head.authority, Self.origin(origin, matches: host)
            else {
                throw APIError(.forbidden, "Requests from other sites are not accepted.")
            }
        }
        return try await next(request, context)
    }

    /// Whether `origin` (`scheme://host[:port]`) names the same host and port as a `Host` header value.
    static func origin(_ origin: String, matches host: String) -> Bool {
        guard let url = URL(string: origin), let originHost = url.host else { return false }
        let defaultPort = url.scheme == "https" ? 443 : 80
        let originPort = url.port ?? defaultPort
        let (hostName, hostPort) = split(host: host, defaultPort: defaultPort)
        return originHost.lowercased() == hostName.lowercased() && originPort == hostPort
    }

    /// `example.local:8080` → ("example.local", 8080); `[::1]:80` → ("::1", 80).
    static func split(host: String, defaultPort: Int) -> (String, Int) {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let name = String(host[host.index(after: host.startIndex)..<close])
            let rest = host[host.index(after: close)...]
            return (name, rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? -1 : defaultPort)
        }
        if let colon = host.lastIndex(of: ":") {
            return (String(host[..<colon]), Int(host[host.index(after: colon)...]) ?? -1)
        }
        return (host, defaultPort)
    }
}
