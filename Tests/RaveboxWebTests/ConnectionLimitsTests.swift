import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import RaveboxTestSupport
import Synchronization
import Testing

@testable import RaveboxWeb

/// The web server against strangers on the box's open Wi-Fi: each test runs the real server on a loopback port
/// and talks to it over plain sockets, from loopback addresses of its own (``RawConnection``).
@Suite struct ConnectionLimitsTests {
    /// The box's limits with timeouts short enough for a test.
    static var quick: ConnectionLimits {
        var limits = ConnectionLimits.box
        limits.requestHeadTimeout = .milliseconds(600)
        limits.idleTimeout = .milliseconds(600)
        limits.linger = .milliseconds(500)
        return limits
    }

    /// Runs `body` with the port of a server held to `limits`. The test framework's own client connects from
    /// 127.0.0.1 as the server starts, and counts in ``ConnectionLimits/total`` once it has.
    func serve(
        _ limits: ConnectionLimits = quick, _ body: @Sendable (Int, any TestClientProtocol) async throws -> Void
    ) async throws {
        let box = try WebTestBox()
        try await box.web.application(host: "127.0.0.1", port: 0, limits: limits).test(.live) { client in
            try await body(try #require(client.port), client)
        }
    }

    /// A first request no HTTP client would send, and the status it must get.
    struct Malformed: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var bytes: [UInt8]
        var status: Int
    }

    static let malformed: [Malformed] = [
        Malformed(
            testDescription: "a 100 KB address",
            bytes: Array("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: box\r\n\r\n".utf8),
            status: 414),
        Malformed(
            testDescription: "a 100 KB header",
            bytes: Array(
                "GET / HTTP/1.1\r\nHost: box\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8),
            status: 431),
        Malformed(
            testDescription: "Content-Length: -5",
            bytes: Array("POST /api/queue HTTP/1.1\r\nHost: box\r\nContent-Length: -5\r\n\r\n".utf8), status: 400),
        Malformed(
            testDescription: "Content-Length: five",
            bytes: Array("POST /api/queue HTTP/1.1\r\nHost: box\r\nContent-Length: five\r\n\r\n".utf8), status: 400),
        // The start of a TLS 1.2 ClientHello: a browser trying https:// on the HTTP port.
        Malformed(
            testDescription: "a TLS ClientHello",
            bytes: [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03]
                + Array(repeating: 0x2A, count: 160),
            status: 400),
    ]

    @Test(arguments: malformed) func malformedFirstRequestIsAnsweredAndClosed(_ request: Malformed) async throws {
        try await serve { port, _ in
            let connection = try RawConnection(port: port)
            let (bytes, closed) = try await onOwnThread {
                connection.send(request.bytes)
                return connection.readUntilClosed(timeout: 5)
            }
            let response = try #require(RawHTTP.parse(bytes))
            #expect(response.status == request.status)
            #expect(response.headers["connection"] == "close")
            #expect(response.text.hasPrefix(#"{"error": ""#))
            #expect(closed)
        }
    }

    /// After the first request Hummingbird answers malformed requests itself; the guard has left by then.
    @Test func malformedLaterRequestIsAnsweredAndClosed() async throws {
        try await serve { port, _ in
            let connection = try RawConnection(port: port)
            let (bytes, closed) = try await onOwnThread {
                connection.send("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
                _ = connection.readResponse(timeout: 5)
                connection.send([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00])
                return connection.readUntilClosed(timeout: 5)
            }
            #expect(RawHTTP.parse(bytes)?.status == 400)
            #expect(closed)
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await serve { port, _ in
            let connection = try RawConnection(port: port)
            let (status, openAtFirst, closedLater) = try await onOwnThread {
                connection.send("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
                let status = connection.readResponse(timeout: 5)?.status
                return (status, !connection.isClosed(within: 0.2), connection.isClosed(within: 5))
            }
            #expect(status == 200)
            #expect(openAtFirst, "kept alive for a while")
            #expect(closedLater)
        }
    }

    @Test func connectionThatNeverSendsARequestGets408AndIsClosed() async throws {
        try await serve { port, _ in
            let connection = try RawConnection(port: port)
            let (bytes, closed) = try await onOwnThread { connection.readUntilClosed(timeout: 5) }
            #expect(RawHTTP.parse(bytes)?.status == 408)
            #expect(closed)
        }
    }

    /// Slowloris: one header line every 200 ms, so the connection is never silent but its head never ends.
    @Test func requestHeadTricklingInIsAnswered408AndClosed() async throws {
        try await serve { port, _ in
            let connection = try RawConnection(port: port)
            let (bytes, closed, lines) = try await onOwnThread {
                connection.send("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n")
                var lines = 0
                while lines < 25 {
                    let (bytes, closed) = connection.readUntilClosed(timeout: 0.2)
                    if !bytes.isEmpty || closed {
                        let rest = connection.readUntilClosed(timeout: 5)
                        return (bytes + rest.bytes, closed || rest.closed, lines)
                    }
                    lines += 1
                    connection.send("X-Slow-\(lines): 1\r\n")
                }
                return ([], false, lines)
            }
            #expect(RawHTTP.parse(bytes)?.status == 408)
            #expect(closed)
            #expect(lines < 25)
        }
    }

    @Test func requestBodyThatStopsArrivingIsClosedAfterTheIdleTimeout() async throws {
        try await serve { port, _ in
            let connection = try RawConnection(port: port)
            let closed = try await onOwnThread {
                connection.send(
                    "POST /api/queue HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"songId\"")
                return connection.isClosed(within: 5)
            }
            #expect(closed)
        }
    }

    /// A phone that went away without closing: it stops answering pings, and its WebSocket is closed.
    @Test func webSocketThatStopsAnsweringPingsIsClosed() async throws {
        var limits = Self.quick
        limits.webSocketPing = .milliseconds(200)
        limits.webSocketCloseTimeout = .milliseconds(200)
        try await serve(limits) { port, _ in
            let connection = try RawConnection(port: port)
            let (bytes, closed) = try await onOwnThread {
                connection.send(
                    "GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                return connection.readUntilClosed(timeout: 5)
            }
            #expect(RawHTTP.parse(bytes)?.status == 101)
            #expect(bytes.contains(0x89), "a ping was sent")
            #expect(closed)
        }
    }

    /// A phone that answers pings keeps its live updates past every timeout of the HTTP side.
    @Test func webSocketThatAnswersPingsOutlivesTheHTTPTimeouts() async throws {
        var limits = Self.quick
        limits.webSocketPing = .milliseconds(200)
        let box = try WebTestBox()
        box.web.live.start()
        let received = Mutex(0)
        try await box.web.application(host: "127.0.0.1", port: 0, limits: limits).test(.live) { client in
            let port = try #require(client.port)
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/live", logger: Logger(label: "ws")) {
                inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                _ = try await messages.next()
                // A song is requested 2 s later; meanwhile the client waits for a message, answering pings.
                let request = Task {
                    try await Task.sleep(for: .seconds(2))
                    _ = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil)
                    box.segment.bump(.queue)
                }
                if case .text = try await messages.next() { received.withLock { $0 += 1 } }
                try await request.value
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        #expect(received.withLock { $0 } == 1)
    }

    /// The finding's test: a stranger's 1,000 idle connections from one address, and another phone still gets the
    /// party's state. The stranger keeps `perAddress` connections; the others are closed as soon as accepted.
    @Test func thousandIdleConnectionsFromOneAddressLeaveTheStateAnsweringOthers() async throws {
        _ = ConnectionLimits.raiseDescriptorLimit(to: 8192)
        var limits = ConnectionLimits.box
        limits.limitsLoopback = true
        limits.requestHeadTimeout = .seconds(60)
        let perAddress = limits.perAddress
        try await serve(limits) { port, _ in
            let (closed, stillOpen, status, heldAgain) = try await onOwnThread {
                var stranger = try (0..<1000).map { _ in try RawConnection(port: port, from: "127.0.0.2") }
                let closed = RawConnection.waitUntilClosed(stranger, count: 1000 - perAddress, timeout: 20)
                let phone = try RawConnection(port: port, from: "127.0.0.3")
                phone.send("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
                let status = phone.readResponse(timeout: 5)?.status
                let stillOpen = stranger.filter { !$0.isClosed(within: 0) }.count
                // Closed connections give their places back: the same address gets as many again, and no more.
                stranger = []
                try Self.waitForPlace(port: port, from: "127.0.0.2")
                let again = try (0...perAddress).map { _ in try RawConnection(port: port, from: "127.0.0.2") }
                _ = RawConnection.waitUntilClosed(again, count: 1, timeout: 5)
                usleep(200_000)
                return (closed, stillOpen, status, again.filter { !$0.isClosed() }.count)
            }
            #expect(closed == 1000 - perAddress)
            #expect(stillOpen == perAddress)
            #expect(status == 200)
            #expect(heldAgain == perAddress)
        }
    }

    /// Waits until the server lets a connection from `address` in again (it has seen the earlier ones close).
    static func waitForPlace(port: Int, from address: String) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if !(try RawConnection(port: port, from: address)).isClosed(within: 0.2) { return }
        }
        throw TestSupportError("\(address) found no place within 5 s")
    }

    @Test func connectionsBeyondTheTotalAreClosedWhateverTheirAddress() async throws {
        var limits = ConnectionLimits.box
        limits.requestHeadTimeout = .seconds(60)
        limits.perAddress = 4
        limits.total = 9
        limits.limitsLoopback = true
        try await serve(limits) { port, client in
            // The framework's client takes the ninth place first.
            try await client.execute(uri: "/api/state", method: .get) { #expect($0.status == .ok) }
            let (closed, open) = try await onOwnThread {
                let connections = try ["127.0.0.10", "127.0.0.11", "127.0.0.12"].flatMap { address in
                    try (0..<4).map { _ in try RawConnection(port: port, from: address) }
                }
                let closed = RawConnection.waitUntilClosed(connections, count: 4, timeout: 5)
                usleep(200_000)
                return (closed, connections.filter { !$0.isClosed() }.count)
            }
            #expect(closed == 4)
            #expect(open == 8)
        }
    }
}
