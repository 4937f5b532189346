import ArgumentParser
import Foundation
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import ServiceLifecycle

/// What each child process (`ravebox engine`, `ravebox web`) starts from and how it runs: its configuration,
/// logger, the running box's store and shared segment, and a service group that stops on SIGTERM or SIGINT.
struct ChildProcess {
    /// How long the services may take to stop after SIGTERM before they are cancelled, and then to end after
    /// cancelling, within the supervisor's `stopTimeout` (the engine saves the position first thing).
    static let shutdownTimeout: Duration = .seconds(3)
    static let cancellationTimeout: Duration = .seconds(1)

    let config: BoxConfiguration
    let logger: Logger
    let store: Store
    let segment: SharedSegment

    /// Resolves the options, starts logging and opens the running box's store and segment; without a running
    /// box (no segment) it says so and exits with code 3.
    init(options: BoxOptions, label: String) throws {
        config = try options.resolve()
        BoxLogging.bootstrap()
        logger = Logger(label: label)
        let paths = BoxPaths(config)
        do {
            let name = try paths.segmentName()
            guard SharedSegment.exists(name: name) else {
                throw BoxFailure("no running box for \(paths.data): start it with `ravebox run`")
            }
            (store, segment) = (try Store(path: paths.database), try SharedSegment.open(name: name))
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }

    /// Runs `services` until SIGTERM or SIGINT, then stops them in reverse order within the timeouts above.
    func run(_ services: [ServiceGroupConfiguration.ServiceConfiguration]) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownTimeout
        configuration.maximumCancellationDuration = Self.cancellationTimeout
        try await ServiceGroup(configuration: configuration).run()
    }
}
