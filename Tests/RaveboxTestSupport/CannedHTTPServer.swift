import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests of HTTP clients: answers each request with a canned response
/// chosen by path (query string ignored), 404 for any other path, and records the request targets.
///
/// ```swift
/// let server = try CannedHTTPServer(routes: ["/v3.0/tracks/": .json(#"{"results": []}"#)])
/// defer { server.stop() }
/// let base = "http://127.0.0.1:\(server.port)/v3.0/"
/// ```
///
/// One thread accepts and answers connections one after the other, `Connection: close`. Only request heads are
/// read; bodies are ignored.
public final class CannedHTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `routes`, `received` and `stopped` are only touched under `lock`; `descriptor` and
    // `port` never change after init.

    /// What the server answers.
    public struct Response: Sendable {
        /// HTTP status code.
        public var status: Int
        /// Extra headers (Content-Length and Connection are always sent).
        public var headers: [String: String]
        /// The body, sent as it is.
        public var body: Data

        /// A response as given.
        public init(status: Int = 200, headers: [String: String] = [:], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A JSON body.
        public static func json(_ text: String, status: Int = 200) -> Response {
            Response(status: status, headers: ["Content-Type": "application/json"], body: Data(text.utf8))
        }

        /// Raw bytes (an audio file).
        public static func bytes(_ data: Data, contentType: String = "audio/mpeg") -> Response {
            Response(headers: ["Content-Type": contentType], body: data)
        }
    }

    /// The port it listens on.
    public let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var routes: [String: Response]
    private var received: [String] = []
    private var stopped = false
    private var thread: Thread?

    /// Starts listening on an ephemeral port of 127.0.0.1.
    public init(routes: [String: Response]) throws {
        self.routes = routes
        let (fd, port) = try LoopbackSocket.open(.stream, reuseAddress: true, listenBacklog: 16)
        descriptor = fd
        self.port = port
        let thread = Thread { [self] in serve() }
        thread.name = "canned-http"
        self.thread = thread
        thread.start()
    }

    deinit { stop() }

    /// Replaces or adds the response for `path`.
    public func setRoute(_ path: String, _ response: Response) {
        lock.lock()
        routes[path] = response
        lock.unlock()
    }

    /// The request targets received so far ("/v3.0/tracks/?client_id=...&search=...").
    public var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Stops accepting (within 100 ms) and closes the socket.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func serve() {
        defer { close(descriptor) }
        while !isStopped {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { continue }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.containsHeadEnd {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            head += buffer[0..<count]
        }
        let requestLine = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let target = parts.count >= 2 ? String(parts[1]) : "/"
        let path = String(target.prefix { $0 != "?" })
        lock.lock()
        received.append(target)
        let response = routes[path] ?? .json(#"{"error": "not found"}"#, status: 404)
        lock.unlock()
        var text =
            "HTTP/1.1 \(response.status) Canned\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Data(text.utf8) + response.body
        _ = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let sent = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }
}

extension [UInt8] {
    fileprivate var containsHeadEnd: Bool {
        count >= 4
            && (0...(count - 4)).contains {
                self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10
            }
    }
}
