import Foundation
import Testing
import Yams

@testable import RaveboxWeb

/// `docs/api/openapi.yaml` and the router agree: every documented route exists, every route is documented.
@Suite struct OpenAPIDocumentTests {
    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/api/openapi.yaml").path
    }

    func documentedRoutes() throws -> Set<String> {
        let text = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var routes = Set<String>()
        let methods = ["get", "put", "post", "delete", "patch"]
        for (path, item) in paths {
            guard let operations = item as? [String: Any] else { continue }
            for method in methods where operations[method] != nil { routes.insert("\(method.uppercased()) \(path)") }
        }
        return routes
    }

    /// The API routes the router serves, as `METHOD /path/{param}`: Hummingbird's route listing already
    /// writes parameters the OpenAPI way. The WebSocket upgrades are `GET` routes like any other.
    func servedRoutes() throws -> Set<String> {
        let box = try WebTestBox()
        return Set(
            box.web.router().routes.map { "\($0.method.rawValue) \($0.path)" }.filter { $0.contains(" /api/") })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let served = try servedRoutes()
        let documented = try documentedRoutes()
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented))")
        #expect(served.count >= 20)
    }
}
