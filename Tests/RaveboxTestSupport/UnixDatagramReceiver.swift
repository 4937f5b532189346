import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A Unix datagram socket bound to a path, e.g. to stand in for systemd's notification socket.
public final class UnixDatagramReceiver {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket(AF_UNIX) failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 }
        }
        guard bound else {
            close(fd)
            throw TestSupportError("bind(\(path)) failed: errno \(errno)")
        }
        self.path = path
        descriptor = fd
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The next datagram as text, or nil when none arrives within `seconds`.
    public func receive(within seconds: Double) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(seconds * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Datagrams until one satisfies `condition` (returned with all before it), or nil after `seconds`.
    public func collect(within seconds: Double, until condition: ([String]) -> Bool) -> [String]? {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [String] = []
        while Date() < deadline {
            guard let message = receive(within: max(0, deadline.timeIntervalSinceNow)) else { break }
            received.append(message)
            if condition(received) { return received }
        }
        return nil
    }
}
