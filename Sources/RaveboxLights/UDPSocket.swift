#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A UDP socket that sends datagrams to addresses resolved once, up front.
///
/// Shared by the network LED outputs. Resolution (`getaddrinfo`) happens in `init` because the renderer is
/// realtime-ish; `send` only calls `sendto(2)` and does not allocate.
final class UDPSocket {
    /// `host:port`, for errors and logs.
    let target: String
    private let descriptor: Int32
    /// Destination addresses, preallocated so `send` can pass a pointer without allocating.
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let addressLengths: UnsafeMutablePointer<socklen_t>
    /// Number of entries in `addresses`.
    let destinationCount: Int

    /// Resolves `host` (name or numeric IPv4/IPv6 address) and opens a socket of the matching family.
    init(host: String, port: Int) throws {
        target = "\(host):\(port)"
        guard (1...65535).contains(port) else {
            throw LEDOutputError.invalidConfiguration(target: target, reason: "port must be 1...65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Self.datagram
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw LEDOutputError.hostNotResolved(host: host, port: port, reason: reason)
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Self.datagram, 0)
        guard fd >= 0 else { throw LEDOutputError.socketFailed(target: target, errno: errno) }
        descriptor = fd
        destinationCount = 1
        addresses = .allocate(capacity: 1)
        addresses.initialize(to: sockaddr_storage())
        addressLengths = .allocate(capacity: 1)
        addressLengths.initialize(to: info.pointee.ai_addrlen)
        UnsafeMutableRawPointer(addresses).copyMemory(
            from: info.pointee.ai_addr, byteCount: Int(info.pointee.ai_addrlen))
    }

    /// Opens an IPv4 socket sending to the given numeric addresses, e.g. one multicast group per sACN universe.
    init(ipv4Addresses: [(UInt8, UInt8, UInt8, UInt8)], port: Int, target: String) throws {
        self.target = target
        guard (1...65535).contains(port) else {
            throw LEDOutputError.invalidConfiguration(target: target, reason: "port must be 1...65535")
        }
        let fd = socket(AF_INET, Self.datagram, 0)
        guard fd >= 0 else { throw LEDOutputError.socketFailed(target: target, errno: errno) }
        descriptor = fd
        destinationCount = ipv4Addresses.count
        addresses = .allocate(capacity: max(1, ipv4Addresses.count))
        addressLengths = .allocate(capacity: max(1, ipv4Addresses.count))
        for (index, octets) in ipv4Addresses.enumerated() {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let hostOrder = UInt32(octets.0) << 24 | UInt32(octets.1) << 16 | UInt32(octets.2) << 8 | UInt32(octets.3)
            address.sin_addr.s_addr = in_addr_t(hostOrder.bigEndian)
            (addresses + index).initialize(to: sockaddr_storage())
            UnsafeMutableRawPointer(addresses + index).storeBytes(of: address, as: sockaddr_in.self)
            (addressLengths + index).initialize(to: socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }

    /// The numeric address and port of destination `index`, e.g. "239.255.0.1:5568" (for logs and tests).
    func destination(at index: Int) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(addresses[index].ss_family)
        let port: UInt16
        switch family {
        case AF_INET:
            let address = UnsafeRawPointer(addresses + index).load(as: sockaddr_in.self)
            var raw = address.sin_addr
            inet_ntop(family, &raw, &text, socklen_t(text.count))
            port = UInt16(bigEndian: address.sin_port)
        case AF_INET6:
            let address = UnsafeRawPointer(addresses + index).load(as: sockaddr_in6.self)
            var raw = address.sin6_addr
            inet_ntop(family, &raw, &text, socklen_t(text.count))
            port = UInt16(bigEndian: address.sin6_port)
        default:
            return "address family \(family)"
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    deinit {
        close(descriptor)
        addresses.deinitialize(count: max(1, destinationCount))
        addresses.deallocate()
        addressLengths.deallocate()
    }

    /// Sends `count` bytes from `bytes` to destination `index` (0 for a resolved host).
    ///
    /// Called on the light renderer's thread; does not allocate unless it throws.
    func send(_ bytes: UnsafePointer<UInt8>, count: Int, to index: Int = 0) throws {
        let sent = UnsafeRawPointer(addresses + index).withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(descriptor, bytes, count, 0, $0, addressLengths[index])
        }
        guard sent == count else { throw LEDOutputError.sendFailed(target: target, errno: sent < 0 ? errno : EMSGSIZE) }
    }

    #if canImport(Glibc)
        private static let datagram = Int32(SOCK_DGRAM.rawValue)
    #else
        private static let datagram = SOCK_DGRAM
    #endif
}
