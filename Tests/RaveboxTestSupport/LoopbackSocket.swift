import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 socket bound to an ephemeral port: the one way the test helpers (``FreePort``,
/// ``CannedHTTPServer``, ``UDPReceiver``) get a port of their own.
enum LoopbackSocket {
    enum Kind {
        case stream
        case datagram
    }

    /// A socket of `kind` bound to port 0 of 127.0.0.1 (or of every address with `anyAddress`), listening when
    /// `listenBacklog` is given; returns it with the port the kernel chose. The caller closes it.
    static func open(
        _ kind: Kind, anyAddress: Bool = false, reuseAddress: Bool = false, listenBacklog: Int32? = nil
    ) throws -> (descriptor: Int32, port: Int) {
        #if canImport(Glibc)
            let type = kind == .stream ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        #else
            let type = kind == .stream ? SOCK_STREAM : SOCK_DGRAM
        #endif
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
        if reuseAddress {
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = anyAddress ? INADDR_ANY : inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (listenBacklog.map { listen(fd, $0) == 0 } ?? true)
                    && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            let error = errno
            close(fd)
            throw TestSupportError(
                "cannot bind a port on \(anyAddress ? "every address" : "127.0.0.1"): errno \(error)")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
