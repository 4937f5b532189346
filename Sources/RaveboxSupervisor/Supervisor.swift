import CRaveboxSys
import Foundation
import Logging
import RaveboxIPC
import RaveboxStore
import ServiceLifecycle

/// Starts the engine and web processes, keeps them running, and stops them in order.
///
/// It re-executes its own binary (`/proc/self/exe engine ...`, `... web ...`), restarts a child that
/// exits or whose heartbeat in the shared segment stops for ``heartbeatTimeout(of:)`` seconds (back-off from
/// ``RestartPolicy``), and on graceful shutdown (SIGTERM, SIGINT) stops the children in reverse start
/// order, SIGKILLing one that does not exit within its share of ``stopTimeout``. It holds no business logic.
public final class Supervisor: Service, Sendable {
    /// One child the supervisor keeps running.
    public struct ChildSpec: Sendable {
        public var role: ProcessRole
        /// Arguments after the executable, e.g. `["engine", "--data", "/var/lib/ravebox"]`.
        public var arguments: [String]

        public init(role: ProcessRole, arguments: [String]) {
            self.role = role
            self.arguments = arguments
        }
    }

    /// Seconds without a heartbeat after which the web process counts as hung. Its store calls are `async`, so
    /// nothing it waits for stops its heartbeat.
    public static let heartbeatTimeout = 3.0
    /// Seconds without a heartbeat after which the engine counts as hung. Its control loop beats once a pass and
    /// makes synchronous store calls (the position every second, a song's end and the next one's start: two in one
    /// pass), each of which may wait ``Store/busyTimeout`` for the web process's write lock and then for its own
    /// commit's fsync: on a slow SD card both take seconds, and a loop that waits for them is not hung (the music plays on meanwhile, from
    /// the player's own threads, which the engine's `Watchdog` watches). Killing it then stopped the music, and
    /// the fresh engine, waiting as well, was killed again (found by the soak, Tests/Soak).
    public static let engineHeartbeatTimeout = 2 * Store.busyTimeout + heartbeatTimeout

    /// Seconds without a heartbeat after which a child in `role` counts as hung.
    public static func heartbeatTimeout(of role: ProcessRole) -> Double {
        role == .engine ? engineHeartbeatTimeout : heartbeatTimeout
    }
    /// How the box is doing, handed to the observer after every check of the children.
    public struct Health: Sendable, Equatable {
        /// Some child has not answered (beaten) since the supervisor started.
        public var starting: Bool
        /// Some child that was up is down now, or crash-looping.
        public var failing: Bool

        public init(starting: Bool, failing: Bool) {
            self.starting = starting
            self.failing = failing
        }
    }

    /// Seconds a freshly started child has to beat for the first time.
    public static let startupGrace = 15.0
    /// Seconds the whole shutdown may take before the last child is SIGKILLed.
    public static let stopTimeout = 5.0
    /// How often children are checked.
    static let pollInterval: Duration = .milliseconds(50)

    let executable: String
    let children: [ChildSpec]
    let segment: SharedSegment
    let logger: Logger
    let notifier: SystemdNotifier?
    let observer: (@Sendable (Health) -> Void)?

    /// - Parameters:
    ///   - notifier: systemd's notification socket: `READY=1` once every child answered, watchdog pings while
    ///     the supervisor runs, `STOPPING=1` on the way out.
    ///   - observer: called after every check of the children (every 50 ms), e.g. to drive the status LED.
    public init(
        executable: String, children: [ChildSpec], segment: SharedSegment, logger: Logger,
        notifier: SystemdNotifier? = nil, observer: (@Sendable (Health) -> Void)? = nil
    ) {
        self.executable = executable
        self.children = children
        self.segment = segment
        self.logger = logger
        self.notifier = notifier
        self.observer = observer
    }

    /// Bookkeeping for one child slot; only touched by `run()`.
    private struct Slot {
        var spec: ChildSpec
        var process: ChildProcess?
        var policy = RestartPolicy()
        var restartAt = 0.0
        /// The child has beaten at least once since the supervisor started.
        var answered = false
    }

    public func run() async throws {
        // Before the first child starts, so engine and web inherit it (docs/performance.md, "Memory of an idle box").
        _ = rb_disable_transparent_hugepages()
        var slots = children.map { Slot(spec: $0) }
        let pid = getpid()
        var ready = false
        var lastHealth: Health?
        var nextPing = 0.0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            segment.beat(.supervisor, pid: pid)
            let now = Self.now()
            for index in slots.indices {
                check(&slots[index], now: now)
            }
            let health = Self.health(of: slots, now: now)
            if health != lastHealth, let notifier {
                // Ready once every child answered, or once one crash-loops: the supervisor is doing its job
                // then, and systemd must not restart the whole box over a missing sound card.
                let status =
                    health.failing ? "a process keeps failing: see the log" : health.starting ? "starting" : "running"
                let becameReady = !ready && (!health.starting || health.failing)
                ready = ready || becameReady
                notifier.send((becameReady ? "READY=1\n" : "") + "STATUS=" + status)
            }
            lastHealth = health
            if let interval = notifier?.watchdogInterval, now >= nextPing {
                nextPing = now + interval
                notifier?.send("WATCHDOG=1")
            }
            observer?(health)
            try? await Task.sleep(for: Self.pollInterval)
        }
        notifier?.send("STOPPING=1")
        await stop(slots: &slots)
    }

    private static func health(of slots: [Slot], now: Double) -> Health {
        Health(
            starting: slots.contains { !$0.answered },
            failing: slots.contains { ($0.answered && $0.process == nil) || $0.policy.isInCrashLoop(at: now) })
    }

    private func check(_ slot: inout Slot, now: Double) {
        let name = slot.spec.role.description
        guard let process = slot.process else {
            guard now >= slot.restartAt else { return }
            do {
                slot.process = try ChildProcess(
                    name: name, executable: executable, arguments: slot.spec.arguments, startedAt: now)
                logger.info("started \(name)", metadata: ["pid": "\(slot.process?.pid ?? 0)"])
            } catch {
                logger.error("\(error)")
                scheduleRestart(&slot, now: now, why: "could not start")
            }
            return
        }
        if let status = process.reap() {
            slot.process = nil
            scheduleRestart(&slot, now: now, why: "\(status)")
            return
        }
        let beat = segment.heartbeat(of: slot.spec.role)
        let lastSign: Double
        let allowed: Double
        if beat.pid == process.pid, beat.counter > 0 {
            slot.answered = true
            lastSign = Double(beat.monotonicNanos) / 1e9
            allowed = Self.heartbeatTimeout(of: slot.spec.role)
        } else {
            lastSign = process.startedAt
            allowed = Self.startupGrace
        }
        if now - lastSign > allowed {
            logger.error(
                "\(name) stopped answering (no heartbeat for \(String(format: "%.1f", now - lastSign)) s): killing it",
                metadata: ["pid": "\(process.pid)"])
            process.signal(SIGKILL)
        }
    }

    private func scheduleRestart(_ slot: inout Slot, now: Double, why: String) {
        let name = slot.spec.role.description
        let delay = slot.policy.recordCrash(at: now)
        slot.restartAt = now + delay
        if slot.policy.isInCrashLoop(at: now) {
            let crashes = slot.policy.recentCrashes.count
            logger.critical(
                "\(name) \(why); it crashed \(crashes) times in the last minute: crash loop, retrying every 30 s")
        } else {
            logger.warning("\(name) \(why); restarting in \(Int(delay * 1000)) ms")
        }
    }

    /// Stops the children in reverse start order within ``stopTimeout``.
    private func stop(slots: inout [Slot]) async {
        let deadline = Self.now() + Self.stopTimeout - 0.2
        let running = slots.reversed().compactMap(\.process)
        for (index, process) in running.enumerated() {
            // Each child gets an equal share of what is left of the budget.
            let share = (deadline - Self.now()) / Double(running.count - index)
            let childDeadline = Self.now() + max(0.1, share)
            process.signal(SIGTERM)
            var status = process.reap()
            while status == nil, Self.now() < childDeadline {
                try? await Task.sleep(for: .milliseconds(20))
                status = process.reap()
            }
            if let status {
                logger.info("stopped \(process.name): \(status)")
            } else {
                logger.warning("\(process.name) did not stop in time: killing it")
                process.signal(SIGKILL)
                while process.reap() == nil { try? await Task.sleep(for: .milliseconds(5)) }
            }
        }
        for index in slots.indices { slots[index].process = nil }
    }

    static func now() -> Double { Double(SharedSegment.monotonicNanos()) / 1e9 }
}
