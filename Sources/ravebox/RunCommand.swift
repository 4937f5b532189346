import ArgumentParser
import Foundation
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import RaveboxSupervisor
import ServiceLifecycle

/// `ravebox run`: the supervisor.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start the box: the supervisor, which runs and watches the engine and web processes.",
        discussion: """
            Creates the data folder, the database and the shared-memory segment, then starts `ravebox engine` \
            (audio, lights, buttons) and `ravebox web` (pages, API, live updates) and restarts either if it \
            exits or hangs. SIGTERM or SIGINT stops web, then engine, within 5 seconds.
            """)

    @OptionGroup var options: BoxOptions

    func run() async throws {
        let config = try options.resolve()
        BoxLogging.bootstrap()
        let logger = Logger(label: "ravebox.supervisor")
        let paths = BoxPaths(config)
        let segment: SharedSegment
        let lock: Int32
        let setupCode: SetupCode?
        do {
            try paths.createDataFolder()
            lock = try Self.lockDataFolder(paths)
            let firstStart = !FileManager.default.fileExists(atPath: paths.database)
            let store = try Store(path: paths.database)
            if firstStart, config.mode == .box {
                // A box plugged in for the first time plays its library at once (autoplay), so it is heard working.
                try store.savePlaybackModes(PlaybackModes(autoplay: true))
            }
            if let password = config.adminPassword {
                try AdminCredentials.install(password: password, in: store)
            } else if let hash = config.adminPasswordHash {
                try AdminCredentials.install(hash: hash, in: store)
            }
            // Until someone claims the box, its setup code: the one `ravebox setup` wrote to the boot partition,
            // else one made here. The screen shows it; the log says it for a box run from a terminal.
            let preferred = (try? String(contentsOfFile: BoxPaths.setupCodeFile, encoding: .utf8)).flatMap(
                SetupCode.init)
            setupCode = try AdminCredentials.prepareSetupCode(preferred: preferred, in: store)
            segment = try SharedSegment.create(name: try paths.segmentName())
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(3)
        }
        defer {
            _ = try? segment.unlink()
            close(lock)
        }
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let childArguments = BoxOptions.childArguments(config)
        let statusLight = BoxStatusLight.open(config, logger: logger)
        let supervisor = Supervisor(
            executable: executable,
            children: [
                .init(role: .engine, arguments: ["engine"] + childArguments),
                .init(role: .web, arguments: ["web"] + childArguments),
            ],
            segment: segment, logger: logger, notifier: SystemdNotifier(),
            observer: statusLight.map { light in { @Sendable health in light.show(health) } })
        let address = "http://\(config.host == "0.0.0.0" ? "localhost" : config.host):\(config.port)"
        logger.info("Ravebox on \(address) (\(config.mode.rawValue) mode, data in \(paths.data))")
        if let setupCode {
            logger.notice("No admin password yet: set one at \(address)/setup with the setup code \(setupCode)")
        }
        let group = ServiceGroup(
            configuration: .init(services: [supervisor], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }

    /// Takes an exclusive lock on the data folder so that two supervisors never share one box's state.
    static func lockDataFolder(_ paths: BoxPaths) throws -> Int32 {
        let fd = open(paths.lockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BoxFailure("cannot create \(paths.lockFile): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw BoxFailure("another Ravebox is already running with the data folder \(paths.data)")
        }
        return fd
    }
}
