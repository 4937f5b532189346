import Foundation

/// One HTTP/1.1 request over a plain socket to 127.0.0.1, with exactly the headers given (URLSession may
/// add or drop `Cookie`). Blocking, `Connection: close`, bounded by `timeout`. For tests that need full
/// control of what is sent.
public enum RawHTTP {
    /// Returns the status code, or `nil` when the connection failed or timed out.
    public static func send(
        _ method: String, port: Int, path: String, body: String = "", headers: [String: String] = [:],
        timeout: Double = 1
    ) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { return nil }
        var response = [UInt8](repeating: 0, count: 4096)
        var received = 0
        while received < 12 {
            let count = response.withUnsafeMutableBytes { read(fd, $0.baseAddress! + received, $0.count - received) }
            guard count > 0 else { return nil }
            received += count
        }
        // "HTTP/1.1 200 ..."
        let statusLine = String(decoding: response[0..<received], as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}
