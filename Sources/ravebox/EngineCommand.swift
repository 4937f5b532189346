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
        let child = try ChildProcess(options: options, label: "ravebox.engine")
        let (config, store, segment, logger) = (child.config, child.store, child.segment, child.logger)
        if let error = FFmpegLibraries.open() {
            logger.critical("\(error)")
            throw ExitCode(3)
        }
        let engine = Engine(configuration: EngineConfiguration(config), store: store, segment: segment, logger: logger)
        try await child.run(
            [
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
            ])
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
            wifiPassword: config.hotspotPassword)
    }
}
