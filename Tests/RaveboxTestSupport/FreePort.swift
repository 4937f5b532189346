import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
public enum FreePort {
    public static func find() throws -> Int {
        let (fd, port) = try LoopbackSocket.open(.stream)
        close(fd)
        return port
    }
}
