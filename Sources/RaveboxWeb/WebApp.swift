import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The web process's HTTP surface: the party page, the JSON API under `/api/` (described in
/// `docs/api/openapi.yaml`) and the live WebSocket.
///
/// ```swift
/// let web = WebApp(store: store, segment: segment, logger: logger)
/// let app = web.application(host: "0.0.0.0", port: 8080)
/// try await app.runService()
/// ```
public struct WebApp: Sendable {
    let store: Store
    let segment: SharedSegment
    let reader: PartyStateReader
    let commands: CommandSender
    let sessions: Sessions
    let settings: PartySettings
    let voteLimiter = VoteRateLimiter()
    /// Failed login attempts per device: 10 per 30 s, so passwords cannot be guessed quickly (successful
    /// logins do not count).
    let loginLimiter = VoteRateLimiter()
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
        self.commands = CommandSender(segment: segment)
        self.sessions = Sessions(store: store)
        self.settings = PartySettings(store: store, segment: segment)
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

    /// Default and largest number of search results.
    static let searchLimit = (default: 20, maximum: 100)

    /// The router with every route; used by ``application(host:port:)`` and by tests.
    public func router() -> Router<RaveboxRequestContext> { routeTable().router }

    /// Builds the router and returns it with the list of routes it serves.
    func routeTable() -> RouteTable {
        let router = Router(context: RaveboxRequestContext.self)
        router.add(middleware: CaptivePortalMiddleware(portal: captive, settings: settings))
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: OriginCheckMiddleware())
        router.add(middleware: GuestSessionMiddleware(sessions: sessions))
        let routes = RouteTable(router: router)

        router.get("/") { request, context in try renderPartyPage(request, context: context) }
        router.post("/request") { request, context in try await requestFromForm(request, context: context) }
        router.post("/queue/:id/vote") { request, context in try await voteFromForm(request, context: context) }
        router.post("/hashtags") { request, context in try await hashtagFromForm(request, context: context) }
        router.get("/static/:file") { request, context in
            StaticAssets.shared.response(file: context.parameters.get("file") ?? "", request: request)
        }
        addLoginPages(to: router)
        addHostPages(to: router)

        routes.add(.get, "/api/state") { _, _ in try reader.read() }
        routes.add(.get, "/api/search") { request, _ in try search(request) }
        routes.add(.get, "/api/search/random") { _, _ in try randomSong() }
        routes.add(.post, "/api/queue") { request, context in try await requestSong(request, context: context) }
        routes.add(.delete, "/api/queue") { _, context in try removeAll(context: context) }
        routes.add(.post, "/api/queue/reorder") { request, context in try await reorder(request, context: context) }
        routes.add(.post, "/api/queue/shuffle") { _, context in try shuffleAll(context: context) }
        routes.add(.delete, "/api/queue/{id}") { _, context in try remove(context: context) }
        routes.add(.put, "/api/queue/{id}/vote") { request, context in try await vote(request, context: context) }
        routes.add(.post, "/api/queue/{id}/prioritize") { _, context in try prioritize(context: context) }
        for action in ["play", "pause", "skip", "restart", "alarm"] {
            routes.add(.post, "/api/playback/\(action)") { _, context in try playback(action, context: context) }
        }
        routes.add(.post, "/api/playback/seek") { request, context in try await seek(request, context: context) }
        routes.add(.put, "/api/playback/volume") { request, context in try await volume(request, context: context) }
        routes.add(.put, "/api/playback/modes") { request, context in try await modes(request, context: context) }
        routes.add(.get, "/api/colors") { _, context in try colors(context: context) }
        routes.add(.post, "/api/hashtags") { request, context in try await hashtag(request, context: context) }
        routes.add(.get, "/api/session") { _, context in try sessionInfo(context) }
        routes.add(.post, "/api/session/login") { request, context in try await login(request, context: context) }
        routes.add(.post, "/api/session/logout") { _, context in try logout(context: context) }
        routes.add(.post, "/api/session/setup") { request, context in try await setup(request, context: context) }
        routes.add(.put, "/api/session/mod-password") { request, context in
            try await modPassword(request, context: context)
        }
        routes.add(.get, "/api/settings") { _, context in try readSettings(context: context) }
        routes.add(.patch, "/api/settings") { request, context in try await patchSettings(request, context: context) }
        router.ws("/api/live") { inbound, outbound, _ in
            try await Self.send(live.subscribe(), over: outbound, whileOpen: inbound) { .text($0) }
        }
        routes.note(.get, "/api/live")
        router.ws("/api/live/spectrum") { inbound, outbound, _ in
            try await Self.send(spectrum.subscribe(), over: outbound, whileOpen: inbound) {
                .binary(ByteBuffer(bytes: $0))
            }
        }
        routes.note(.get, "/api/live/spectrum")
        addLightRoutes(to: routes)
        addLibraryRoutes(to: routes)
        addScreenRoutes(to: routes)
        routes.add(.get, "/api/captive-portal") { _, context in
            captive.apiResponse(
                captive: captive.isCaptive(context.clientAddress, mode: try settings.current().captivePortal))
        }
        return routes
    }

    /// Sends every message of `stream` to a WebSocket client until the client goes away. What the client
    /// sends is read (and ignored), so pings and the close handshake are handled; when it ends, so does
    /// the sending side.
    static func send<Message: Sendable>(
        _ stream: AsyncStream<Message>, over outbound: WebSocketOutboundWriter,
        whileOpen inbound: WebSocketInboundStream,
        frame: @escaping @Sendable (Message) -> WebSocketOutboundWriter.OutboundFrame
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound {} }
            group.addTask { for await message in stream { try await outbound.write(frame(message)) } }
            try await group.next()
            group.cancelAll()
        }
    }

    /// The Hummingbird application serving ``router()`` with WebSocket upgrades.
    public func application(host: String, port: Int) -> some ApplicationProtocol {
        let router = router()
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "ravebox"),
            logger: logger)
    }

    // MARK: - Helpers

    /// Decodes a JSON body, answering 400 with `example` when it does not fit.
    func body<T: Decodable>(
        _ type: T.Type, _ request: Request, _ context: RaveboxRequestContext, example: String
    )
        async throws -> T
    {
        do {
            return try await request.decode(as: type, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "That request is too large.")
        } catch {
            throw APIError(.badRequest, "Send JSON like \(example).")
        }
    }

    /// Checks that this session may do `action` now: 401 for a guest asking for an admin's action (logging
    /// in would help), else the rule's own refusal (403).
    func authorize(_ action: PartyAction, _ context: RaveboxRequestContext) throws {
        let interactivity = try settings.current().interactivity
        guard !action.isAllowed(for: context.privilege, at: interactivity) else { return }
        if context.privilege == .guest, [.removeAll, .shuffleAll, .settings].contains(action) {
            throw APIError(.unauthorized, "Log in as admin to do that.")
        }
        try action.authorize(context.privilege, at: interactivity)
    }

    func entryID(_ context: RaveboxRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else {
            throw APIError(.badRequest, "The queue entry id must be a whole number.")
        }
        return id
    }

    func voterKey(_ context: RaveboxRequestContext) throws -> String {
        Voter.key(
            session: context.session, device: context.device,
            oneVotePerDevice: try settings.current().oneVotePerDevice)
    }

    func send(_ command: Command) throws {
        do {
            try commands.send(command)
        } catch {
            throw APIError(.serviceUnavailable, "The box is busy. Please try again in a moment.")
        }
    }

    func queueAfterChange() throws -> [QueueEntry] {
        segment.bump(.queue)
        try? commands.send(Command(kind: .queueChanged))
        return try store.queue()
    }

    // MARK: - Library

    struct LibrarySong: ResponseEncodable {
        var id: Int64
        var title: String
        var artist: String
        var album: String
        var duration: Double
        /// How often guests requested it at this box before (search results only).
        var timesRequested: Int?

        init(_ song: Song, timesRequested: Int? = nil) {
            (id, title, artist, album, duration) = (song.id, song.title, song.artist, song.album, song.duration)
            self.timesRequested = timesRequested
        }
    }

    func search(_ request: Request) throws -> [LibrarySong] {
        let query = request.uri.queryParameters.get("q") ?? ""
        var limit = Self.searchLimit.default
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...Self.searchLimit.maximum).contains(value) else {
                throw APIError(.badRequest, "limit must be a whole number from 1 to \(Self.searchLimit.maximum).")
            }
            limit = value
        }
        let songs = try store.searchSongs(query, limit: limit)
        let counts = try store.requestCounts(songIDs: songs.map(\.id))
        return songs.map { LibrarySong($0, timesRequested: counts[$0.id] ?? 0) }
    }

    func randomSong() throws -> LibrarySong {
        guard let song = try store.randomSong(now: PartySettings.now()) else {
            throw APIError(.notFound, "The library is empty: add music to the box first.")
        }
        return LibrarySong(song)
    }

    // MARK: - Queue

    struct RequestBody: Decodable {
        var songId: Int64
        /// What the guest typed to find it; later searches for those words find the song too.
        var query: String?
    }

    struct RequestResult: ResponseEncodable {
        var entry: QueueEntry?
        var countedAsUpvote: Bool
        var message: String
    }

    func requestSong(
        _ request: Request, context: RaveboxRequestContext
    ) async throws
        -> EditedResponse<RequestResult>
    {
        let body = try await body(RequestBody.self, request, context, example: "{\"songId\": 3}")
        let result = try requestSong(body.songId, context: context)
        if let query = body.query?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty, query.count <= 200 {
            try? store.recordRequestText(query, songID: body.songId)
        }
        return EditedResponse(status: result.countedAsUpvote ? .ok : .created, response: result)
    }

    /// Requests a song for this session; tells the engine only after the commit.
    func requestSong(_ songID: Int64, context: RaveboxRequestContext) throws -> RequestResult {
        try authorize(.request, context)
        let now = PartySettings.now()
        let outcome = try store.request(
            songID: songID, session: context.session, voter: try voterKey(context), privilege: context.privilege,
            settings: try settings.current(), now: now, kickThreshold: try settings.kickThreshold(now: now))
        segment.bump(.queue)
        // The engine also notices the change counter; a full ring only delays it, never loses the request.
        try? commands.send(Command(kind: .queueChanged))
        switch outcome {
        case .queued(let entry):
            return RequestResult(entry: entry, countedAsUpvote: false, message: "\(entry.title) is in the queue.")
        case .upvoted(let vote, let message):
            skipIfKicked(vote)
            return RequestResult(entry: nil, countedAsUpvote: true, message: message)
        }
    }

    func removeAll(context: RaveboxRequestContext) throws -> Response {
        try authorize(.removeAll, context)
        try store.mutateQueue { queue in _ = queue.removeAll() }
        _ = try queueAfterChange()
        return Response(status: .noContent)
    }

    struct ReorderBody: Decodable {
        var id: Int64
        var after: Int64?
        var before: Int64?
    }

    func reorder(_ request: Request, context: RaveboxRequestContext) async throws -> [QueueEntry] {
        try authorize(.queueControl, context)
        let body = try await body(
            ReorderBody.self, request, context, example: "{\"id\": 7, \"after\": 3, \"before\": 9}")
        try store.mutateQueue { queue in try queue.reorder(id: body.id, after: body.after, before: body.before) }
        return try queueAfterChange()
    }

    func shuffleAll(context: RaveboxRequestContext) throws -> [QueueEntry] {
        try authorize(.shuffleAll, context)
        try store.mutateQueue { queue in
            var generator = SystemRandomNumberGenerator()
            queue.shuffleAll(using: &generator)
        }
        return try queueAfterChange()
    }

    func remove(context: RaveboxRequestContext) throws -> Response {
        try authorize(.queueControl, context)
        let id = try entryID(context)
        try store.mutateQueue { queue in _ = try queue.remove(id: id) }
        _ = try queueAfterChange()
        return Response(status: .noContent)
    }

    func prioritize(context: RaveboxRequestContext) throws -> [QueueEntry] {
        try authorize(.queueControl, context)
        let id = try entryID(context)
        try store.mutateQueue { queue in try queue.prioritize(id: id) }
        return try queueAfterChange()
    }

    struct VoteBody: Decodable { var vote: Int }

    struct VoteAnswer: ResponseEncodable {
        var entryId: Int64
        var votes: Int
        var yourVote: Int
        var kicked: Bool
    }

    func vote(_ request: Request, context: RaveboxRequestContext) async throws -> VoteAnswer {
        let id = try entryID(context)
        let body = try await body(VoteBody.self, request, context, example: "{\"vote\": 1}")
        return try castVote(body.vote, entryID: id, context: context)
    }

    /// Sets this guest's vote on a queue entry (or the playing song), within the rate limit.
    func castVote(_ value: Int, entryID id: Int64, context: RaveboxRequestContext) throws -> VoteAnswer {
        let vote = try Vote(value: value)
        try authorize(.vote(vote), context)
        let voter = try voterKey(context)
        let now = PartySettings.now()
        try voteLimiter.admit(voter: voter, now: now, limit: try settings.current().voteRateLimit)
        let result = try store.vote(
            entryID: id, voter: voter, vote: vote, kickThreshold: try settings.kickThreshold(now: now))
        segment.bump(.queue)
        skipIfKicked(result)
        return VoteAnswer(entryId: id, votes: result.votes, yourVote: vote.rawValue, kicked: result.kicked)
    }

    /// The current song voted down to the threshold is skipped: the command names the play, so a song
    /// that started meanwhile is not skipped by mistake.
    func skipIfKicked(_ result: VoteResult) {
        guard result.kicked, result.isCurrent, let playID = result.playID else { return }
        try? commands.send(Command(kind: .skip, value: Double(playID)))
    }

    // MARK: - Playback

    struct Accepted: ResponseEncodable { var accepted: String }

    func playback(_ action: String, context: RaveboxRequestContext) throws -> EditedResponse<Accepted> {
        try authorize(.playbackControl, context)
        let command: Command =
            switch action {
            case "play": Command(kind: .play)
            case "pause": Command(kind: .pause)
            case "skip": Command(kind: .skip)
            case "alarm": Command(kind: .alarm)
            default: Command(kind: .seek, value: 0)
            }
        try send(command)
        return EditedResponse(status: .accepted, response: Accepted(accepted: action))
    }

    struct SeekBody: Decodable { var seconds: Double }

    func seek(_ request: Request, context: RaveboxRequestContext) async throws -> EditedResponse<Accepted> {
        try authorize(.playbackControl, context)
        let body = try await body(SeekBody.self, request, context, example: "{\"seconds\": 30}")
        guard body.seconds.isFinite, body.seconds >= 0 else {
            throw APIError(.badRequest, "seconds must be 0 or more.")
        }
        try send(Command(kind: .seek, value: body.seconds))
        return EditedResponse(status: .accepted, response: Accepted(accepted: "seek"))
    }

    struct VolumeBody: Decodable { var volume: Double }

    func volume(_ request: Request, context: RaveboxRequestContext) async throws -> EditedResponse<Accepted> {
        try authorize(.playbackControl, context)
        let body = try await body(VolumeBody.self, request, context, example: "{\"volume\": 0.5}")
        guard body.volume.isFinite, (0...1).contains(body.volume) else {
            throw APIError(.badRequest, "The volume must be between 0 and 1.")
        }
        try send(Command(kind: .setVolume, value: body.volume))
        return EditedResponse(status: .accepted, response: Accepted(accepted: "volume"))
    }

    struct ModesBody: Decodable {
        var shuffle: Bool?
        var `repeat`: Bool?
        var autoplay: Bool?
    }

    func modes(_ request: Request, context: RaveboxRequestContext) async throws -> PlaybackModes {
        try authorize(.playbackControl, context)
        let body = try await body(ModesBody.self, request, context, example: "{\"shuffle\": true}")
        var modes = try store.playbackModes()
        if let shuffle = body.shuffle { modes.shuffle = shuffle }
        if let value = body.repeat { modes.repeat = value }
        if let autoplay = body.autoplay { modes.autoplay = autoplay }
        try store.savePlaybackModes(modes)
        segment.bump(.settings)
        try? commands.send(Command(kind: .queueChanged))
        return modes
    }

    // MARK: - Colours

    struct EntryColors: ResponseEncodable {
        var requestedBy: String?
        var upvotes: [String]
        var downvotes: [String]
    }

    /// Who voted how, as guest colours, for those the `colorIndication` setting lets see them.
    func colors(context: RaveboxRequestContext) throws -> [String: EntryColors] {
        let indication = try settings.current().colorIndication
        guard indication.isVisible(to: context.privilege) else {
            throw APIError(
                .forbidden,
                indication == .nobody
                    ? "Voter colours are switched off at this party." : "Voter colours are for the hosts only.")
        }
        let hex = { (number: Int) in GuestColor(number: number).hex }
        var result: [String: EntryColors] = [:]
        for (entry, colors) in try store.voteColors() {
            result[String(entry)] = EntryColors(
                requestedBy: colors.requester.map(hex), upvotes: colors.up.map(hex), downvotes: colors.down.map(hex))
        }
        return result
    }

    // MARK: - Hashtags

    struct HashtagBody: Decodable { var text: String }

    func hashtag(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let body = try await body(HashtagBody.self, request, context, example: "{\"text\": \"#dancefloor\"}")
        try addHashtag(body.text, context: context)
        return Response(status: .created)
    }

    func addHashtag(_ text: String, context: RaveboxRequestContext) throws {
        try authorize(.submitHashtag, context)
        guard try settings.current().hashtagsActive else {
            throw APIError(.forbidden, "Hashtags are switched off at this party.")
        }
        try store.addHashtag(try Hashtag.normalize(text))
        segment.bump(.logs)
    }

    // MARK: - Session

    struct SessionInfo: ResponseEncodable {
        var privilege: Privilege
        var adminPasswordSet: Bool
        /// Your votes by queue entry id.
        var votes: [String: Int]
    }

    func sessionInfo(_ context: RaveboxRequestContext, privilege: Privilege? = nil) throws -> SessionInfo {
        let votes = try store.votes(of: try voterKey(context))
        return SessionInfo(
            privilege: privilege ?? context.privilege,
            adminPasswordSet: try AdminCredentials.adminPasswordIsSet(in: store),
            votes: Dictionary(uniqueKeysWithValues: votes.map { (String($0.key), $0.value) }))
    }

    struct LoginBody: Decodable {
        var role: Privilege
        var password: String
    }

    func login(_ request: Request, context: RaveboxRequestContext) async throws -> SessionInfo {
        let body = try await body(
            LoginBody.self, request, context, example: "{\"role\": \"mod\", \"password\": \"...\"}")
        guard body.role != .guest else { throw APIError(.badRequest, "Log in as mod or admin.") }
        let device = context.device ?? context.session
        try loginLimiter.check(voter: device, now: PartySettings.now())
        guard try AdminCredentials.verify(body.password, role: body.role, in: store) else {
            loginLimiter.record(voter: device, now: PartySettings.now())
            throw APIError(.unauthorized, "That password is not right.")
        }
        try sessions.setPrivilege(body.role, session: context.session)
        return try sessionInfo(context, privilege: body.role)
    }

    func logout(context: RaveboxRequestContext) throws -> SessionInfo {
        try sessions.setPrivilege(.guest, session: context.session)
        return try sessionInfo(context, privilege: .guest)
    }

    struct PasswordBody: Decodable { var password: String }

    func setup(_ request: Request, context: RaveboxRequestContext) async throws -> SessionInfo {
        let body = try await body(PasswordBody.self, request, context, example: "{\"password\": \"...\"}")
        guard try !AdminCredentials.adminPasswordIsSet(in: store) else {
            throw APIError(.conflict, "The admin password is already set. Log in instead.")
        }
        try Self.checkPassword(body.password)
        try AdminCredentials.install(password: body.password, role: .admin, in: store)
        try sessions.setPrivilege(.admin, session: context.session)
        return try sessionInfo(context, privilege: .admin)
    }

    func modPassword(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        try authorize(.settings, context)
        let body = try await body(PasswordBody.self, request, context, example: "{\"password\": \"...\"}")
        try Self.checkPassword(body.password)
        try AdminCredentials.install(password: body.password, role: .mod, in: store)
        return Response(status: .noContent)
    }

    static func checkPassword(_ password: String) throws {
        guard password.count >= BoxConfiguration.minimumPasswordLength else {
            throw APIError(
                .badRequest, "The password needs at least \(BoxConfiguration.minimumPasswordLength) characters.")
        }
    }

    // MARK: - Settings

    func readSettings(context: RaveboxRequestContext) throws -> [String: SettingValue] {
        try authorize(.settings, context)
        return try settings.current().values
    }

    func patchSettings(_ request: Request, context: RaveboxRequestContext) async throws -> [String: SettingValue] {
        try authorize(.settings, context)
        let patch = try await body(
            [String: SettingValue].self, request, context, example: "{\"downvotesToKick\": 3}")
        return try settings.update(patch).values
    }
}

extension PartyState: ResponseEncodable {}
extension QueueEntry: ResponseEncodable {}
extension PlaybackModes: ResponseEncodable {}
