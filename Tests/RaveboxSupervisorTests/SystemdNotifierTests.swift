import Foundation
import RaveboxSupervisor
import RaveboxTestSupport
import Testing

@Suite struct SystemdNotifierTests {
    @Test func sendsDatagramsToThePathInNOTIFY_SOCKET() throws {
        let folder = try TemporaryFolder("notifier")
        defer { folder.remove() }
        let systemd = try UnixDatagramReceiver(path: folder.file("notify"))
        let notifier = try #require(
            SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "30000000"]))
        #expect(notifier.watchdogInterval == 15)
        #expect(notifier.send("READY=1\nSTATUS=running"))
        #expect(systemd.receive(within: 1) == "READY=1\nSTATUS=running")
    }

    @Test func noSocketNoNotifierAndAWatchdogForAnotherProcessIsNotOurs() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]) == nil)
        let other = SystemdNotifier(
            environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other != nil && other?.watchdogInterval == nil)
    }

    @Test func aVanishedSocketIsReportedNotFatal() throws {
        let notifier = try #require(SystemdNotifier(socketPath: "/nonexistent/notify", watchdogInterval: nil))
        #expect(!notifier.send("WATCHDOG=1"))
    }
}
