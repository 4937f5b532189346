import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A UDP socket on an ephemeral port of 127.0.0.1 (or of any address, joined to a multicast group) that collects
/// datagrams for tests of the network LED outputs: WLED, DDP, sACN, audio sync.
public final class UDPReceiver: @unchecked Sendable {
    // @unchecked: the descriptor is set once; the kernel serialises calls on it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let port: Int
    private let descriptor: Int32

    /// - Parameter multicastGroup: join this group and listen on every address instead of 127.0.0.1.
    public init(multicastGroup: String? = nil) throws {
        let (fd, port) = try LoopbackSocket.open(.datagram, anyAddress: multicastGroup != nil)
        if let multicastGroup {
            var membership = ip_mreq()
            membership.imr_multiaddr.s_addr = inet_addr(multicastGroup)
            membership.imr_interface.s_addr = INADDR_ANY
            let joined = setsockopt(
                fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &membership, socklen_t(MemoryLayout<ip_mreq>.size))
            guard joined == 0 else {
                close(fd)
                throw Failure(description: "cannot join \(multicastGroup): errno \(errno)")
            }
        }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var size = Int32(1 << 20)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        self.port = port
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The next datagram, or nil after a second without one.
    public func next() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let received = recv(descriptor, &buffer, buffer.count, 0)
        return received >= 0 ? Array(buffer[0..<received]) : nil
    }

    /// Exactly `count` datagrams (1 s timeout each); throws when fewer arrive or when more are waiting.
    public func receive(_ count: Int) throws -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        for _ in 0..<count {
            guard let datagram = next() else {
                throw Failure(description: "expected \(count) datagrams, got \(datagrams.count)")
            }
            datagrams.append(datagram)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        guard recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT)) < 0 else {
            throw Failure(description: "more than the \(count) datagrams expected")
        }
        return datagrams
    }
}
