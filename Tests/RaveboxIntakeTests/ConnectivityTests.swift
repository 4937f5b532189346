import Foundation
import RaveboxIntake
import RaveboxTestSupport
import Testing

@Suite struct ConnectivityTests {
    @Test func listeningHostIsOnline() async throws {
        let server = try CannedHTTPServer(routes: [:])
        defer { server.stop() }
        let connectivity = Connectivity(host: "127.0.0.1", port: server.port, timeout: .seconds(1))
        #expect(await connectivity.state == .unknown)
        #expect(await connectivity.check() == .online)
    }

    @Test func closedPortIsOfflineAtOnce() async throws {
        let port = try FreePort.find()
        let connectivity = Connectivity(host: "127.0.0.1", port: port, timeout: .seconds(1))
        let start = ContinuousClock.now
        let state = await connectivity.check()
        #expect(start.duration(to: .now) < .milliseconds(500))
        guard case .offline(let why) = state else {
            Issue.record("expected offline, got \(state)")
            return
        }
        #expect(why.contains("refused"))
    }

    @Test func hostThatNeverAnswersIsOfflineWithinTheTimeout() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let connectivity = Connectivity(host: "127.0.0.1", port: silent.port, timeout: .milliseconds(300))
        let start = ContinuousClock.now
        let state = await connectivity.check()
        #expect(!state.isOnline)
        #expect(start.duration(to: .now) < .milliseconds(1000))
    }

    @Test func resultIsReusedWithinTheRecheckInterval() async throws {
        let server = try CannedHTTPServer(routes: [:])
        let connectivity = Connectivity(
            host: "127.0.0.1", port: server.port, timeout: .seconds(1), recheckInterval: .seconds(60))
        #expect(await connectivity.current() == .online)
        server.stop()
        try await Task.sleep(for: .milliseconds(200))
        #expect(await connectivity.current() == .online)
        #expect(await connectivity.check() != .online)
        #expect(await connectivity.current() != .online)
    }

    @Test func staleResultIsCheckedAgain() async throws {
        let server = try CannedHTTPServer(routes: [:])
        let connectivity = Connectivity(
            host: "127.0.0.1", port: server.port, timeout: .seconds(1), recheckInterval: .milliseconds(100))
        #expect(await connectivity.current() == .online)
        server.stop()
        try await Task.sleep(for: .milliseconds(250))
        #expect(await connectivity.current() != .online)
    }

    @Test func specialHostsForceTheState() async {
        #expect(await Connectivity(host: "localhost", port: 1).check() == .online)
        #expect(await Connectivity(host: "", port: 443).check() == .offline("no connectivity host configured"))
    }
}

/// A listening socket whose accept queue is full, so a further connect gets no answer at all (the kernel drops
/// its SYNs): a host that hangs, on loopback.
private struct SilentListener {
    let port: Int
    private let descriptors: [Int32]

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else { throw TestSupportError("cannot listen") }
        var fillers: [Int32] = []
        for _ in 0..<4 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(client)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        descriptors = [listener] + fillers
    }

    func close() {
        for descriptor in descriptors { _ = Glibc.close(descriptor) }
    }
}
