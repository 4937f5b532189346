import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import Synchronization

/// A guest (or mod, or admin) talking to the router: each keeps the session cookie the box issues it.
final class Guest: Sendable {
    /// The session cookie the box issued this guest, as a `Cookie` header value: empty until it issued one.
    /// Like a browser, the guest keeps what `Set-Cookie` says.
    var cookie: String { jar.withLock { $0.map { "rb_session=\($0)" } ?? "" } }
    private let jar = Mutex<String?>(nil)

    init() {}

    /// A client that sends a cookie value of its own choosing (which the box must not take as a session).
    init(cookie value: String) {
        jar.withLock { $0 = value }
    }

    /// The session token the box issued this guest, if any.
    var token: String? { jar.withLock { $0 } }

    /// Keeps the `rb_session` value of a reply's `Set-Cookie`, as a browser would.
    func keepCookie(from headers: HTTPFields) {
        for field in headers[values: .setCookie] {
            guard field.hasPrefix("rb_session=") else { continue }
            let value = field.dropFirst("rb_session=".count).prefix { $0 != ";" }
            jar.withLock { $0 = String(value) }
        }
    }

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: Data

        var error: String? { (try? JSONDecoder().decode([String: String].self, from: body))?["error"] }
        var text: String { String(decoding: body, as: UTF8.self) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
    }

    /// Sends `body` as an upload called `name` (`POST /api/uploads?name=`).
    /// Uploads `body` as a song file called `name`.
    func upload(_ body: Data, name: String, _ client: some TestClientProtocol) async throws -> Reply {
        try await send(
            client, .post, "/api/uploads?name=\(name)", body: ByteBuffer(bytes: body),
            contentType: "application/octet-stream")
    }

    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if json != nil { headers[.contentType] = "application/json" }
        return try await send(client, method, uri, body: json.map { ByteBuffer(string: $0) }, headers: headers)
    }

    /// Sends `body` as `contentType` (a form, a file), with the guest's cookie.
    func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer,
        contentType: String
    ) async throws -> Reply {
        try await send(client, method, uri, body: body, headers: [.contentType: contentType])
    }

    private func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer?,
        headers extra: HTTPFields
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if !cookie.isEmpty { headers[.cookie] = cookie }
        headers.append(contentsOf: extra)
        return try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            self.keepCookie(from: response.headers)
            return Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
        }
    }
}

/// The JSON shapes the API answers with.
struct RequestReply: Decodable {
    var entry: QueueEntry?
    var countedAsUpvote: Bool
    var message: String
}

struct VoteReply: Decodable {
    var entryId: Int64
    var votes: Int
    var yourVote: Int
    var kicked: Bool
}

struct SessionReply: Decodable {
    var privilege: String
    var adminPasswordSet: Bool
    var votes: [String: Int]
}

struct LibraryListing: Decodable {
    var id: Int64
    var title: String
    var artist: String
    var duration: Double
}
