import Foundation
import Hummingbird
import Mustache
import RaveboxCore

/// The page templates (`Assets/*.mustache`, compiled into the binary) and the HTML response they go out in.
///
/// Every page inherits `page.mustache` (head, icons, header, toast) and fills its `main` block; values
/// are HTML-escaped by Mustache unless a template uses `{{{triple}}}` for markup made here (QR SVGs).
enum Templates {
    static let sources: [(name: String, bytes: [UInt8])] = [
        ("page", PackageResources.page_mustache), ("party", PackageResources.party_mustache),
        ("entry", PackageResources.entry_mustache), ("login", PackageResources.login_mustache),
        ("join", PackageResources.join_mustache), ("settings", PackageResources.settings_mustache),
        ("lights", PackageResources.lights_mustache),
    ]

    /// Parsed once. The templates ship inside the binary and a test renders each one, so a parse error
    /// here is a build defect, not something a running box can meet.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for source in sources {
            do {
                try library.register(String(decoding: source.bytes, as: UTF8.self), named: source.name)
            } catch {
                fatalError("the \(source.name) template does not parse: \(error)")
            }
        }
        return library
    }()

    /// The parts of the page every template shares: asset paths, links by privilege, who is logged in.
    static func baseModel(privilege: Privilege, partyMode: Bool = false) -> [String: Any] {
        [
            "assets": StaticAssets.shared.templatePaths,
            "links": ["lights": privilege >= .mod, "join": privilege >= .mod, "settings": privilege == .admin],
            "loggedIn": privilege != .guest, "role": privilege.rawValue, "partyMode": partyMode,
        ]
    }

    static func render(_ name: String, _ model: [String: Any]) -> String {
        library.render(model, withTemplate: name) ?? ""
    }

    /// Text for a `<script type="application/json">` block: JSON with `<` escaped so no `</script>` can
    /// end the block early.
    static func scriptJSON(_ value: some Encodable) -> String {
        let data = (try? JSONEncoder.party.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }

    /// An HTML page, never cached (it holds live state and the guest's own votes), gzipped when the
    /// client accepts it and it is worth it.
    static func html(_ text: String, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .vary: "Accept-Encoding",
        ]
        let bytes = Array(text.utf8)
        if bytes.count > 1024, Gzip.isAccepted(by: request.headers[.acceptEncoding]),
            let gzipped = Gzip.compress(bytes)
        {
            headers[.contentEncoding] = "gzip"
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: gzipped)))
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
