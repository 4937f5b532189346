import ArgumentParser
import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxEngine
import RaveboxIPC
import RaveboxMedia
import RaveboxStore
import ServiceLifecycle

/// `ravebox engine`: the realtime audio and light process (started by `run`).
struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "The audio and light process: plays the queue through ALSA (normally started by `ravebox run`).",
        discussion: """
            Decodes songs with FFmpeg, plays them through ALSA, obeys playback commands from the web process, \
            records started/finished/failed songs and the position in the database, and publishes telemetry.
            """)

    @OptionGroup var options: BoxOptions

    /// How long the services may take to stop after SIGTERM before they are cancelled, and then to end after
    /// cancelling, within the supervisor's `stopTimeout` (the engine saves the position first thing).
    static let shutdownTimeout: Duration = .seconds(3)
    static let cancellationTimeout: Duration = .seconds(1)

    func run() async throws {
        let config = try options.resolve()
        BoxLogging.bootstrap()
        let logger = Logger(label: "ravebox.engine")
        let (store, segment) = try ProcessSetup.open(config)
        let engine = Engine(configuration: EngineConfiguration(config), store: store, segment: segment, logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [
                // The music folders and USB sticks into the library.
                .init(
                    service: LibraryWatcherService(
                        libraries: config.libraries, usbRoot: config.usbRoot, store: store, segment: segment,
                        logger: logger),
                    successTerminationBehavior: .ignore),
                // The control loop: playback, alarm, next song, telemetry; its light and screen threads.
                .init(service: EngineService(engine: engine)),
                // The buttons, handing their actions to the control loop (stopped first).
                .init(
                    service: ButtonsService(setting: config.buttons, engine: engine, logger: logger),
                    successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownTimeout
        configuration.maximumCancellationDuration = Self.cancellationTimeout
        try await ServiceGroup(configuration: configuration).run()
    }
}

extension EngineConfiguration {
    /// What the engine process takes from ravebox.yaml.
    init(_ config: RaveboxCore.BoxConfiguration) {
        self.init(
            audioDevice: config.audioDevice, libraries: config.libraries,
            soundsDirectory: BoxPaths(config).sounds, snapcastFIFO: config.snapcastFIFO,
            captureDevice: config.audioSource == .capture ? config.captureDevice : nil,
            format: AudioFormat(sampleRate: config.audioRate, channels: config.audioChannels),
            periodMilliseconds: config.audioPeriodMilliseconds, periods: config.audioPeriods,
            lights: config.lights, downloadCache: BoxPaths(config).data + "/cache", buttons: config.buttons,
            powerOffCommand: config.mode == .box ? ["/usr/bin/touch", BoxPaths.powerOffRequest] : nil,
            screen: config.screen, joinURL: config.partyURL, wifiName: config.wifiName,
            wifiPassword: config.wifiPassword)
    }
}

/// Opening what both children share.
enum ProcessSetup {
    static func open(_ config: RaveboxCore.BoxConfiguration) throws -> (Store, SharedSegment) {
        let paths = BoxPaths(config)
        do {
            let name = try paths.segmentName()
            guard SharedSegment.exists(name: name) else {
                throw BoxFailure("no running box for \(paths.data): start it with `ravebox run`")
            }
            return (try Store(path: paths.database), try SharedSegment.open(name: name))
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}
