import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RaveboxIPC
import RaveboxMedia
import RaveboxWeb
import ServiceLifecycle

/// `ravebox web`: the network process (started by `run`).
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "The network process: party page, JSON API and live updates (normally started by `ravebox run`).",
        discussion: """
            Serves the party page on /, the JSON API under /api/ and the live WebSocket on /api/live; writes \
            requests to the database and sends playback commands to the engine through shared memory.
            """)

    @OptionGroup var options: BoxOptions

    func run() async throws {
        let child = try ChildProcess(options: options, label: "ravebox.web")
        let (config, store, segment, logger) = (child.config, child.store, child.segment, child.logger)
        let web = WebApp(
            store: store, segment: segment, logger: logger, site: SiteInfo(config),
            folders: MusicFolders(dataDirectory: BoxPaths(config).data, prober: FFmpegTrackProbe()))
        let limits = ConnectionLimits.box.fitted(toDescriptorLimit: ConnectionLimits.raiseDescriptorLimit())
        web.live.start()
        defer { web.live.stop() }
        try await child.run([
            .init(service: HeartbeatService(segment: segment, role: .web)),
            .init(service: web.application(host: config.host, port: config.port, limits: limits)),
        ])
    }
}

/// Beats the process's heart in the shared segment four times a second, so the supervisor can tell a
/// hung process from a busy one.
struct HeartbeatService: Service {
    let segment: SharedSegment
    let role: ProcessRole

    func run() async throws {
        let pid = getpid()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            segment.beat(role, pid: pid)
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
