import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore

/// A guest (or mod, or admin) talking to the router: each has its own session cookie.
struct Guest: Sendable {
    let cookie = "rb_session=\(UUID().uuidString.lowercased())"

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: Data

        var error: String? { (try? JSONDecoder().decode([String: String].self, from: body))?["error"] }
        var text: String { String(decoding: body, as: UTF8.self) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
    }

    /// Sends `body` as an upload called `name` (`POST /api/uploads?name=`).
    func upload(_ body: Data, name: String, _ client: some TestClientProtocol) async throws -> Reply {
        try await client.execute(
            uri: "/api/uploads?name=\(name)", method: .post,
            headers: [.cookie: cookie, .contentType: "application/octet-stream"], body: ByteBuffer(bytes: body)
        ) { Reply(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body)) }
    }

    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [.cookie: cookie]
        if json != nil { headers[.contentType] = "application/json" }
        headers.append(contentsOf: extra)
        return try await client.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
        ) { response in
            Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
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
