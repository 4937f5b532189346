#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a network LED output could not be set up or could not send a frame.
///
/// Each case names the target (`host:port`) and what to check, so the renderer can log it once as is.
public enum LEDOutputError: Error, Equatable, CustomStringConvertible {
    /// `getaddrinfo` could not turn `host` into an address; `reason` is its message.
    case hostNotResolved(host: String, port: Int, reason: String)
    /// `socket(2)` or a socket option failed; `errno` is the C error number.
    case socketFailed(target: String, errno: Int32)
    /// `sendto(2)` failed for one packet of a frame; `errno` is the C error number.
    case sendFailed(target: String, errno: Int32)
    /// The output was configured with values its protocol cannot carry.
    case invalidConfiguration(target: String, reason: String)

    public var description: String {
        switch self {
        case .hostNotResolved(let host, let port, let reason):
            return "cannot resolve LED controller host \"\(host)\" (port \(port)): \(reason); "
                + "check the host name or IP address in the lights settings and that the box is on the same network"
        case .socketFailed(let target, let errno):
            return "cannot open a UDP socket for \(target): \(Self.message(errno)); check the network configuration"
        case .sendFailed(let target, let errno):
            return "cannot send LED frame to \(target): \(Self.message(errno)); "
                + "check that the controller is reachable and the network is up"
        case .invalidConfiguration(let target, let reason):
            return "invalid LED output configuration for \(target): \(reason)"
        }
    }

    private static func message(_ errno: Int32) -> String {
        String(cString: strerror(errno)) + " (errno \(errno))"
    }
}
