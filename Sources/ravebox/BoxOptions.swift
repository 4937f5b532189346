import ArgumentParser
import Foundation
import Logging
import RaveboxCore

/// The configuration flags every process command takes. Values are read as text and validated by
/// ``BoxConfiguration/resolve(flags:environment:readFile:defaultMode:)`` so that any bad value, whatever
/// layer it came from, gets one clear message and exit code 2.
struct BoxOptions: ParsableArguments {
    @Option(help: "desktop or box (default: box on the appliance image, desktop elsewhere). Env: RAVEBOX_MODE.")
    var mode: String?

    @Option(
        help: ArgumentHelp(
            "YAML configuration file (default: /boot/firmware/ravebox.yaml on the box, ./ravebox.yaml on a desktop).",
            discussion: "Env: RAVEBOX_CONFIG."))
    var config: String?

    @Option(help: "Data folder for the database and caches (default: ./.ravebox). Env: RAVEBOX_DATA.")
    var data: String?

    @Option(help: "Address to serve on (default: 0.0.0.0). Env: RAVEBOX_HOST.")
    var host: String?

    @Option(help: "Web port (default: 8080 on a desktop, 80 on the box). Env: RAVEBOX_PORT.")
    var port: String?

    @Option(help: "Music folder to scan; repeat for several. Env: RAVEBOX_LIBRARY (folders separated by ':').")
    var library: [String] = []

    @Option(help: "ALSA device to play on (default: default). Env: RAVEBOX_AUDIO_DEVICE.")
    var audioDevice: String?

    @Option(help: "Admin password, stored only as a bcrypt hash. Env: RAVEBOX_ADMIN_PASSWORD.")
    var adminPassword: String?

    /// Marker file the appliance image ships; its presence makes `box` the default mode.
    static let imageMarker = "/etc/ravebox/image"

    /// Resolves all layers, or prints the problem and exits with code 2.
    func resolve() throws -> BoxConfiguration {
        do {
            var pairs: [(key: String, values: [String])] = [
                ("data", data.map { [$0] } ?? []), ("host", host.map { [$0] } ?? []),
                ("port", port.map { [$0] } ?? []), ("library", library),
                ("audio_device", audioDevice.map { [$0] } ?? []),
                ("admin_password", adminPassword.map { [$0] } ?? []),
            ]
            pairs.append(("mode", mode.map { [$0] } ?? []))
            var flags = try ConfigurationLayer(flags: pairs)
            flags.configFile = config
            let defaultMode: BoxConfiguration.Mode =
                FileManager.default.fileExists(atPath: Self.imageMarker) ? .box : .desktop
            return try BoxConfiguration.resolve(
                flags: flags, environment: ProcessInfo.processInfo.environment,
                readFile: { path in
                    guard FileManager.default.fileExists(atPath: path) else { return nil }
                    return try String(contentsOfFile: path, encoding: .utf8)
                }, defaultMode: defaultMode)
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Flags that make a child process resolve exactly this configuration (without the admin password,
    /// which the supervisor already stored as a hash).
    static func childArguments(_ config: BoxConfiguration) -> [String] {
        var arguments = [
            "--mode", config.mode.rawValue, "--data", config.dataDirectory, "--host", config.host, "--port",
            String(config.port), "--audio-device", config.audioDevice,
        ]
        // Name the file only when there is one: a named file that is missing is an error.
        if FileManager.default.fileExists(atPath: config.configFile) { arguments += ["--config", config.configFile] }
        for folder in config.libraries { arguments += ["--library", folder] }
        return arguments
    }
}

/// Logging for every command: swift-log to standard error, level from `RAVEBOX_LOG_LEVEL` (default info).
enum BoxLogging {
    static func bootstrap() {
        let level =
            ProcessInfo.processInfo.environment["RAVEBOX_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
