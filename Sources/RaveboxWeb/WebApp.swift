import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The web process's HTTP surface: the party page, the JSON API under `/api/` and the live WebSocket.
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
    public let live: LiveUpdates
    let logger: Logger

    public init(store: Store, segment: SharedSegment, logger: Logger) {
        self.store = store
        self.segment = segment
        self.reader = PartyStateReader(store: store, segment: segment)
        self.commands = CommandSender(segment: segment)
        self.live = LiveUpdates(reader: reader, logger: logger)
        self.logger = logger
    }

    /// Library results per search.
    static let searchLimit = 50

    /// The router with every route; used by ``application(host:port:)`` and by tests.
    public func router() -> Router<RaveboxRequestContext> {
        let router = Router(context: RaveboxRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: GuestSessionMiddleware())

        router.get("/") { _, _ in try await renderPartyPage() }
        router.post("/request") { request, context in try await requestFromForm(request, context: context) }

        let api = router.group("api")
        api.get("state") { _, _ in try reader.read() }
        api.get("library") { request, _ in try library(request) }
        api.post("queue") { request, context in try await enqueue(request, context: context) }
        api.post("playback/:action") { request, context in try await playback(request, context: context) }
        api.ws("live") { inbound, outbound, _ in
            let updates = live.subscribe()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Read (and ignore) what the client sends, so pings and the close handshake are handled;
                // when the client goes away this ends, and so does the sending side.
                group.addTask { for try await _ in inbound {} }
                group.addTask { for await json in updates { try await outbound.write(.text(json)) } }
                try await group.next()
                group.cancelAll()
            }
        }
        return router
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

    // MARK: - Routes

    struct EnqueueBody: Decodable {
        var songId: Int64
    }

    func enqueue(_ request: Request, context: RaveboxRequestContext) async throws -> EditedResponse<QueueEntry> {
        let body: EnqueueBody
        do {
            body = try await request.decode(as: EnqueueBody.self, context: context)
        } catch {
            throw APIError(.badRequest, "Send the song to request as JSON, for example {\"songId\": 3}.")
        }
        let entry = try requestSong(body.songId, session: context.session)
        return EditedResponse(status: .created, response: entry)
    }

    /// Enqueues a song, then tells the engine (change counter + wake-up command) only after the commit.
    func requestSong(_ songID: Int64, session: String?) throws -> QueueEntry {
        let entry: QueueEntry
        do {
            entry = try store.enqueue(songID: songID, requestedBy: session)
        } catch .unknownSong(let id) {
            throw APIError(.notFound, StoreError.unknownSong(id: id).description)
        } catch {
            logger.error("enqueue failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "The box could not save your request. Please try again.")
        }
        segment.bump(.queue)
        // The engine also notices the change counter; a full ring only delays it, never loses the request.
        try? commands.send(Command(kind: .queueChanged))
        return entry
    }

    func requestFromForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 4096)
        let form = String(buffer: body)
        let fields = URLComponents(string: "?" + form.replacingOccurrences(of: "+", with: " "))?.queryItems ?? []
        guard let value = fields.first(where: { $0.name == "songId" })?.value, let songID = Int64(value) else {
            throw APIError(.badRequest, "Choose a song to request.")
        }
        _ = try requestSong(songID, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    struct LibrarySong: ResponseEncodable {
        var id: Int64
        var title: String
        var artist: String
        var album: String
        var duration: Double
    }

    func library(_ request: Request) throws -> [LibrarySong] {
        let query = request.uri.queryParameters.get("q") ?? ""
        let songs: [Song]
        do {
            songs = try store.searchSongs(query, limit: Self.searchLimit)
        } catch {
            throw APIError(.serviceUnavailable, "The library cannot be searched right now.")
        }
        return songs.map {
            LibrarySong(id: $0.id, title: $0.title, artist: $0.artist, album: $0.album, duration: $0.duration)
        }
    }

    struct VolumeBody: Decodable {
        var volume: Double
    }

    struct Accepted: ResponseEncodable {
        var accepted: String
    }

    func playback(_ request: Request, context: RaveboxRequestContext) async throws -> EditedResponse<Accepted> {
        let action = context.parameters.get("action") ?? ""
        let command: Command
        switch action {
        case "play": command = Command(kind: .play)
        case "pause": command = Command(kind: .pause)
        case "skip": command = Command(kind: .skip)
        case "volume":
            let body: VolumeBody
            do {
                body = try await request.decode(as: VolumeBody.self, context: context)
            } catch {
                throw APIError(.badRequest, "Send the volume as JSON, for example {\"volume\": 0.5}.")
            }
            guard body.volume.isFinite, (0...1).contains(body.volume) else {
                throw APIError(.badRequest, "The volume must be between 0 and 1.")
            }
            command = Command(kind: .setVolume, value: body.volume)
        default:
            throw APIError(.notFound, "Unknown playback action \"\(action)\": use play, pause, skip or volume.")
        }
        do {
            try commands.send(command)
        } catch {
            throw APIError(.serviceUnavailable, "The box is busy. Please try again in a moment.")
        }
        return EditedResponse(status: .accepted, response: Accepted(accepted: action))
    }

    func renderPartyPage() async throws -> Response {
        let state = try reader.read()
        let songs = (try? store.searchSongs("", limit: 500)) ?? []
        let html = PartyPage.render(state: state, library: songs)
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension PartyState: ResponseEncodable {}
extension QueueEntry: ResponseEncodable {}
