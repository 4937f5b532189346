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

    func run() async throws {
        let config = try options.resolve()
        BoxLogging.bootstrap()
        let logger = Logger(label: "ravebox.engine")
        let (store, segment) = try ProcessSetup.open(config)
        let engine = Engine(
            configuration: EngineConfiguration(
                audioDevice: config.audioDevice, libraries: config.libraries,
                soundsDirectory: BoxPaths(config).sounds, snapcastFIFO: config.snapcastFIFO,
                captureDevice: config.audioSource == .capture ? config.captureDevice : nil,
                format: AudioFormat(sampleRate: config.audioRate, channels: config.audioChannels),
                periodMilliseconds: config.audioPeriodMilliseconds, periods: config.audioPeriods,
                lights: config.lights, downloadCache: BoxPaths(config).data + "/cache", buttons: config.buttons,
                powerOffCommand: config.mode == .box ? ["/usr/bin/touch", BoxPaths.powerOffRequest] : nil,
                screen: config.screen, joinURL: config.partyURL, wifiName: config.wifiName,
                wifiPassword: config.wifiPassword),
            store: store, segment: segment, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [EngineService(engine: engine, logger: logger, usbRoot: config.usbRoot)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
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
