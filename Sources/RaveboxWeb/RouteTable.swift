import Hummingbird

/// Registers routes on a router and remembers them as `METHOD /path/{param}`, the way the OpenAPI
/// document names them, so a test can hold the two in agreement.
final class RouteTable {
    let router: Router<RaveboxRequestContext>
    /// Built once on one thread, while the router is made.
    private(set) var routes: [String] = []

    init(router: Router<RaveboxRequestContext>) {
        self.router = router
    }

    /// Adds a route. `path` uses `{name}` for parameters (OpenAPI style); Hummingbird gets `:name`.
    func add<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, RaveboxRequestContext) async throws -> Output
    ) {
        let hummingbirdPath = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
        router.on(RouterPath(hummingbirdPath), method: method, use: handler)
        routes.append("\(method.rawValue) \(path)")
    }

    /// Records a route registered by other means (the WebSocket upgrade).
    func note(_ method: HTTPRequest.Method, _ path: String) {
        routes.append("\(method.rawValue) \(path)")
    }
}
