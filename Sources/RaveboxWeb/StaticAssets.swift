import Foundation
import Hummingbird

/// The stylesheet, scripts and icon, compiled into the binary (`PackageResources`), each served under a
/// name that carries its content's CRC-32 (`/static/party.3f2a91c4.js`) with a one-year immutable cache,
/// an ETag and a gzip copy made once at start.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let name: String
        let contentType: String
        let bytes: ByteBuffer
        let gzipped: ByteBuffer?
        let etag: String
        /// The name to link to: `party.3f2a91c4.js`.
        let versionedName: String
    }

    private let byName: [String: Asset]
    /// Plain name (`party.js`) → URL path (`/static/party.3f2a91c4.js`).
    let paths: [String: String]

    static let shared = StaticAssets(files: [
        ("ravebox.css", "text/css; charset=utf-8", PackageResources.ravebox_css),
        ("common.js", "text/javascript; charset=utf-8", PackageResources.common_js),
        ("party.js", "text/javascript; charset=utf-8", PackageResources.party_js),
        ("settings.js", "text/javascript; charset=utf-8", PackageResources.settings_js),
        ("lights.js", "text/javascript; charset=utf-8", PackageResources.lights_js),
        ("icon.svg", "image/svg+xml", PackageResources.icon_svg),
    ])

    init(files: [(name: String, contentType: String, bytes: [UInt8])]) {
        var byName: [String: Asset] = [:]
        var paths: [String: String] = [:]
        for file in files {
            let hash = String(format: "%08x", Gzip.crc32(file.bytes))
            let dot = file.name.lastIndex(of: ".") ?? file.name.endIndex
            let versioned = "\(file.name[..<dot]).\(hash)\(file.name[dot...])"
            let gzipped = Gzip.compress(file.bytes).flatMap { $0.count < file.bytes.count ? $0 : nil }
            let asset = Asset(
                name: file.name, contentType: file.contentType, bytes: ByteBuffer(bytes: file.bytes),
                gzipped: gzipped.map { ByteBuffer(bytes: $0) }, etag: "\"\(hash)\"", versionedName: versioned)
            byName[versioned] = asset
            byName[file.name] = asset
            paths[file.name] = "/static/" + versioned
        }
        self.byName = byName
        self.paths = paths
    }

    /// The URL paths for templates: `{"css": ..., "common": ..., "party": ..., ...}`.
    var templatePaths: [String: String] {
        [
            "css": paths["ravebox.css"] ?? "", "common": paths["common.js"] ?? "", "party": paths["party.js"] ?? "",
            "settings": paths["settings.js"] ?? "", "lights": paths["lights.js"] ?? "",
            "icon": paths["icon.svg"] ?? "",
        ]
    }

    /// Answers `GET /static/{file}`. A versioned name never changes, so it is cached for a year; the plain
    /// name (for links from outside) is revalidated each time.
    func response(file: String, request: Request) -> Response {
        guard let asset = byName[file] else {
            return Response(status: .notFound)
        }
        var headers: HTTPFields = [
            .eTag: asset.etag, .vary: "Accept-Encoding",
            .cacheControl: file == asset.versionedName ? "public, max-age=31536000, immutable" : "no-cache",
        ]
        if let match = request.headers[.ifNoneMatch], match.contains(asset.etag) || match == "*" {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        if let gzipped = asset.gzipped, Gzip.isAccepted(by: request.headers[.acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
    }
}
