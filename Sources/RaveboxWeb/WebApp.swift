import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The web process's HTTP surface: the party page, the JSON API under `/api/` (described in
/// `docs/api/openapi.yaml`) and the live WebSockets.
///
/// It builds what the routes share, puts the middleware in front of them and mounts one controller per
/// domain, each at the path its routes share.
///
/// ```swift
/// let web = WebApp(store: store, segment: segment, logger: logger)
/// let app = web.application(host: "0.0.0.0", port: 8080, limits: .box)
/// try await app.runService()
/// ```
public struct WebApp: Sendable {
    let store: Store
    let segment: SharedSegment
    let reader: PartyStateReader
    let sessions: Sessions
    let settings: PartySettings
    let actions: PartyActions
    public let live: LiveUpdates
    let spectrum: SpectrumFeed
    let ledFeed: SpectrumFeed
    let site: SiteInfo
    let captive: CaptivePortal
    /// Uploads and online sources; nil when the web app has no folders for them (then those routes answer 503).
    let sources: MusicSources?
    /// The box's screen, drawn for `GET /api/screen.png`.
    let screen = ScreenMirror()
    let logger: Logger

    public init(
        store: Store, segment: SharedSegment, logger: Logger, site: SiteInfo = SiteInfo(), folders: MusicFolders? = nil
    ) {
        self.store = store
        self.segment = segment
        self.reader = PartyStateReader(store: store, segment: segment)
        self.sessions = Sessions(store: store)
        self.settings = PartySettings(store: store, segment: segment)
        self.actions = PartyActions(
            store: store, segment: segment, settings: settings, commands: CommandSender(segment: segment),
            voteLimiter: VoteRateLimiter(), sessions: sessions)
        self.live = LiveUpdates(reader: reader, logger: logger)
        self.spectrum = SpectrumFeed(segment: segment)
        self.ledFeed = SpectrumFeed.ledFeed(segment: segment)
        self.site = site
        self.captive = CaptivePortal(site: site)
        self.logger = logger
        do {
            self.sources = try folders.map { try MusicSources(folders: $0, logger: logger) }
        } catch {
            logger.error("no uploads or online music: \(error)")
            self.sources = nil
        }
    }

    /// The router with every route; used by ``application(host:port:)`` and by tests. Its `routes` list what
    /// it serves, parameters written `{name}` as in the OpenAPI document.
    public func router() -> Router<RaveboxRequestContext> {
        let router = Router(context: RaveboxRequestContext.self)
        // A route gets the middleware added before it, so all of it comes first.
        router.add(middleware: CaptivePortalMiddleware(portal: captive, settings: settings))
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: OriginCheckMiddleware())
        router.add(middleware: GuestSessionMiddleware(sessions: sessions))

        router.addRoutes(
            PartyPageController(
                actions: actions, reader: reader, captive: captive, site: site, sourcesAvailable: sources != nil
            ).routes)
        router.addRoutes(QueueController(actions: actions).routes, atPath: "/api")
        router.addRoutes(PlaybackController(actions: actions).routes, atPath: "/api/playback")
        router.addRoutes(LibraryController(actions: actions, sources: sources, logger: logger).routes, atPath: "/api")
        router.addRoutes(SessionController(actions: actions, sessions: sessions).routes)
        router.addRoutes(SettingsController(actions: actions).routes)
        router.addRoutes(
            LiveController(reader: reader, live: live, spectrum: spectrum, ledFeed: ledFeed).routes, atPath: "/api")
        router.addRoutes(LightsController(store: store, segment: segment, settings: settings, site: site).routes)
        router.addRoutes(
            ScreenController(reader: reader, segment: segment, settings: settings, site: site, screen: screen).routes)
        router.addRoutes(JoinController(site: site, captive: captive, settings: settings).routes)
        return router
    }

    /// The Hummingbird application serving ``router()`` with WebSocket upgrades, its connections held to `limits`.
    public func application(host: String, port: Int, limits: ConnectionLimits = .box) -> some ApplicationProtocol {
        let router = router()
        return Application(
            router: router,
            server: BoundedHTTPChannel.server(webSocketRouter: router, limits: limits),
            configuration: .init(address: .hostname(host, port: port), serverName: "ravebox"),
            logger: logger)
    }
}
