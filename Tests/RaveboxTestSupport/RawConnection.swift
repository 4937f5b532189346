import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TCP connection to a server on 127.0.0.1, opened from a loopback address of the test's choosing (Linux
/// routes all of 127.0.0.0/8 to the loopback interface, so a test can be many clients), for tests that send what
/// no HTTP client would: half a request, bytes that are not HTTP, nothing at all. Every wait is bounded.
///
/// ```swift
/// let connection = try RawConnection(port: port, from: "127.0.0.2")
/// connection.send("GET / HTTP/1.1\r\n")
/// let (bytes, closed) = connection.readUntilClosed(timeout: 2)
/// ```
public final class RawConnection: Sendable {
    /// The socket; closed when the connection is released.
    public let descriptor: Int32

    public init(port: Int, from source: String = "127.0.0.1") throws {
        #if canImport(Glibc)
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
        var local = Self.address(source, port: 0)
        var remote = Self.address("127.0.0.1", port: port)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard bound == 0, connected == 0 else {
            let error = errno
            close(descriptor)
            throw TestSupportError("cannot connect from \(source) to 127.0.0.1:\(port): errno \(error)")
        }
    }

    deinit { close(descriptor) }

    /// Sends `bytes`; false when they could not all be sent (the server closed the connection).
    @discardableResult public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { sendWithoutSignal(descriptor, $0) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    @discardableResult public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads until the server closes the connection (an end of stream or a reset) or `timeout` seconds pass;
    /// returns what arrived and whether the server closed it.
    public func readUntilClosed(timeout: Double) -> (bytes: [UInt8], closed: Bool) {
        var received = [UInt8]()
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            switch read(until: deadline) {
            case .bytes(let chunk): received += chunk
            case .closed: return (received, true)
            case .timedOut: return (received, false)
            }
        }
    }

    /// Reads one response (its head, then a body of `Content-Length` bytes) without waiting for the end of the
    /// connection; nil when none arrives complete within `timeout` seconds.
    public func readResponse(timeout: Double) -> RawHTTP.Response? {
        var received = [UInt8]()
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let response = RawHTTP.parse(received),
                response.body.count >= Int(response.headers["content-length"] ?? "0") ?? 0
            {
                return response
            }
            guard case .bytes(let chunk) = read(until: deadline) else { return nil }
            received += chunk
        }
    }

    /// Whether the server has closed the connection, waiting at most `timeout` seconds for it; what it sent
    /// before is read and dropped.
    public func isClosed(within timeout: Double = 0) -> Bool { readUntilClosed(timeout: timeout).closed }

    private enum Read {
        case bytes([UInt8])
        case closed
        case timedOut
    }

    private func read(until deadline: Date) -> Read {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow * 1000).rounded(.up))
        guard poll(&poller, 1, milliseconds) > 0 else { return .timedOut }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? .bytes(Array(chunk[..<count])) : .closed
    }

    private static func address(_ text: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(text)
        return address
    }

    /// Waits until `count` of `connections` have been closed by the server, or `timeout` seconds pass; returns how
    /// many were closed. What they sent is read and dropped.
    public static func waitUntilClosed(_ connections: [RawConnection], count: Int, timeout: Double) -> Int {
        var open = connections
        var closed = 0
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            open.removeAll { connection in
                guard connection.isClosed() else { return false }
                closed += 1
                return true
            }
            if closed >= count || Date() >= deadline { break }
            usleep(10_000)
        } while true
        return closed
    }
}

/// `send(2)` without SIGPIPE when the server has closed the connection.
private func sendWithoutSignal(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
}

/// Runs blocking work (socket waits) on a thread of its own, so that it holds none of the two threads Swift's
/// concurrency pool has on the test machine, which the server under test needs.
public func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
