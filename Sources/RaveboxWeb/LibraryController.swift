import Foundation
import Hummingbird
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxIntake
import RaveboxStore

/// `GET /api/library`: the library's size, the scan, where music can come from now.
struct LibraryView: ResponseEncodable, Sendable {
    let songs: Int
    let scan: ScanProgress
    /// "online", "offline: <reason>" or "unknown"; online providers are used only when online.
    let connectivity: String
    let uploads: Uploads
    struct Uploads: Codable, Sendable {
        /// Who may upload (the `uploads` setting).
        let permission: String
        /// Whether this guest may upload now.
        let allowed: Bool
        let storedBytes: Int64
        let quotaBytes: Int64
    }
}

/// The music on the box and the music guests bring: searching the library, uploads, online requests,
/// playlists, the library's state and the admin's play-log export.
struct LibraryController: Sendable {
    let actions: PartyActions
    /// Uploads and online sources; nil when the web app has no folders for them (then those routes answer 503).
    let sources: MusicSources?
    let logger: Logger

    /// Default and largest number of search results.
    static let searchLimit = (default: 20, maximum: 100)

    /// Mounted at `/api`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("search") { request, _ in try await search(request) }
        routes.get("search/random") { _, _ in try await randomSong() }
        routes.post("uploads", use: upload)
        routes.post("queue/online", use: requestOnline)
        routes.get("playlists") { request, context in try await playlists(request, context: context) }
        routes.post("queue/playlist", use: requestPlaylist)
        routes.get("library") { _, context in try await library(context: context) }
        routes.get("playlog.m3u") { request, context in try await playLogExport(request, context: context) }
        return routes
    }

    var store: Store { actions.store }

    // MARK: Search

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

    func search(_ request: Request) async throws -> [LibrarySong] {
        let query = request.uri.queryParameters.get("q") ?? ""
        var limit = Self.searchLimit.default
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...Self.searchLimit.maximum).contains(value) else {
                throw APIError(.badRequest, "limit must be a whole number from 1 to \(Self.searchLimit.maximum).")
            }
            limit = value
        }
        let songs = try await store.searchSongs(query, limit: limit)
        let counts = try await store.requestCounts(songIDs: songs.map(\.id))
        return songs.map { LibrarySong($0, timesRequested: counts[$0.id] ?? 0) }
    }

    func randomSong() async throws -> LibrarySong {
        guard let song = try await store.randomSong(now: PartySettings.now()) else {
            throw APIError(.notFound, "The library is empty: add music to the box first.")
        }
        return LibrarySong(song)
    }

    private func requireSources() throws -> MusicSources {
        guard let sources else { throw APIError(.serviceUnavailable, "This box takes no music from outside.") }
        return sources
    }

    // MARK: Uploads

    /// `POST /api/uploads?name=<file name>` with the file as the body: stored, probed, added to the library and
    /// requested for the uploader.
    func upload(
        _ request: Request, context: RaveboxRequestContext
    ) async throws -> EditedResponse<PartyActions.RequestResult> {
        let sources = try requireSources()
        let settings = try await actions.settings.current()
        guard settings.uploads.allows(context.privilege) else {
            throw APIError(
                .forbidden,
                settings.uploads == .off ? "Uploads are off at this party." : "Only mods may upload songs here.")
        }
        try await actions.authorize(.request, context)
        guard let name = request.uri.queryParameters.get("name"), !name.isEmpty else {
            throw APIError(.badRequest, "Say the file's name: POST /api/uploads?name=song.mp3")
        }
        sources.applyUploadLimits(settings)
        let expected = request.headers[.contentLength].flatMap { Int64($0) }
        let accepted: AcceptedUpload
        do {
            let upload = try sources.uploads.begin(
                guest: try await actions.voterKey(context), filename: name, expectedSize: expected)
            do {
                for try await buffer in request.body { try upload.append(buffer.readableBytesView) }
            } catch {
                upload.cancel()
                throw error
            }
            accepted = try await upload.finish()
        } catch let error as UploadError {
            logger.info("upload refused: \(error.details)")
            throw APIError(Self.status(of: error), error.reason)
        }
        let info = accepted.info
        let songID = try await addToLibrary(
            ScannedFile(
                path: accepted.file.path, size: accepted.size, mtime: Date().timeIntervalSince1970, title: info.title,
                artist: info.artist ?? "", album: info.album ?? "", duration: info.duration ?? 0, track: info.track,
                year: info.year, genre: info.genre))
        logger.info("upload accepted: \(accepted.file.path) (\(accepted.size) bytes)")
        let result = try await actions.requestSong(songID, context: context)
        return EditedResponse(status: .created, response: result)
    }

    static func status(of error: UploadError) -> HTTPResponse.Status {
        switch error {
        case .tooLarge: .contentTooLarge
        case .tooManyUploads: .tooManyRequests
        case .quotaFull: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .notAudio, .notAudioName: .unsupportedMediaType
        case .sizeMismatch, .ended: .badRequest
        case .storage: .internalServerError
        }
    }

    // MARK: Online requests

    struct OnlineBody: Decodable {
        var query: String
        var platform: MusicPlatform?
    }

    /// `POST /api/queue/online {"query": "words or a link"}`: the library first would have answered through
    /// search; this asks the enabled online providers (YouTube, Jamendo) in order, then the library, downloads
    /// what was found into the cache and requests it. Waits for the download, and first for its turn among the
    /// online requests under way (`MusicSources.onlineSlot`: 429 when the box is busy).
    func requestOnline(
        _ request: Request, context: RaveboxRequestContext
    ) async throws -> EditedResponse<PartyActions.RequestResult> {
        let sources = try requireSources()
        try await actions.authorize(.request, context)
        let body = try await request.decodeJSON(
            OnlineBody.self, context: context, example: "{\"query\": \"daft punk one more time\"}")
        let query = body.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty, query.count <= 500 else {
            throw APIError(.badRequest, "Say what to look for (at most 500 characters).")
        }
        let settings = try await actions.settings.current()
        let store = store
        let chain = await sources.chain(settings) { words in try await store.searchSongs(words, limit: 1).first }
        let slot = try await sources.onlineSlot(guest: try await actions.voterKey(context), chain: chain)
        defer { slot?.release() }
        let songID: Int64
        let message: String
        do {
            let found = try await chain.request(query, preferred: body.platform, allowFallback: !settings.newMusicOnly)
            switch found.song {
            case .local(let song):
                songID = song.id
            case .online(let track):
                let file = try await chain.download(track)
                songID = try await addDownloaded(track, file: file, sources: sources)
            }
            message = found.message(found.song.displayName)
        } catch let error as SourceError {
            logger.info("online request failed: \(error.details)")
            throw APIError(.badRequest, error.reason)
        }
        try? await store.recordRequestText(query, songID: songID)
        var result = try await actions.requestSong(songID, context: context)
        if !result.countedAsUpvote { result.message = message + " is in the queue." }
        return EditedResponse(status: result.countedAsUpvote ? .ok : .created, response: result)
    }

    /// Files a downloaded song in the library (evicting what the cache no longer holds) and returns its id.
    private func addDownloaded(_ track: OnlineTrack, file: URL, sources: MusicSources) async throws -> Int64 {
        let evicted = await sources.cache.admit(file)
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64) ?? 0
        return try await addToLibrary(
            ScannedFile(
                path: file.path, size: size, mtime: Date().timeIntervalSince1970, title: track.title,
                artist: track.artist, album: track.platform.rawValue, duration: track.duration ?? 0),
            evicted: evicted.map(\.path))
    }

    /// Files a song the web process brought in (an upload, a download) in the library, tells the engine, and
    /// returns its id.
    private func addToLibrary(_ file: ScannedFile, evicted: [String] = []) async throws -> Int64 {
        let id = try await store.addToLibrary(file, evicted: evicted)
        actions.segment.bump(.library)
        guard let id else {
            throw APIError(.internalServerError, "The song was stored but could not be added to the library.")
        }
        return id
    }

    // MARK: Playlists

    func playlists(_ request: Request, context: RaveboxRequestContext) async throws -> [PlaylistSummary] {
        try await actions.authorize(.queueControl, context)
        let query = request.uri.queryParameters.get("q") ?? ""
        return try await store.playlists(matching: query, limit: Self.searchLimit.maximum)
    }

    struct PlaylistBody: Decodable { var playlistId: Int64 }

    struct PlaylistResult: ResponseEncodable {
        var entries: [QueueEntry]
        var message: String
    }

    /// `POST /api/queue/playlist {"playlistId": N}` (mods): its first `maxPlaylistItems` songs join the queue in
    /// order, as songs nobody voted for yet, each by the request rules (``Store/enqueuePlaylist``); the answer
    /// says how many were left out and why the first was.
    func requestPlaylist(
        _ request: Request, context: RaveboxRequestContext
    ) async throws -> EditedResponse<PlaylistResult> {
        try await actions.authorize(.queueControl, context)
        let body = try await request.decodeJSON(PlaylistBody.self, context: context, example: "{\"playlistId\": 4}")
        let settings = try await actions.settings.current()
        guard
            let playlist = try await store.playlists(matching: "", limit: 100_000)
                .first(where: { $0.id == body.playlistId })
        else { throw APIError(.notFound, "There is no such playlist.") }
        let songs = try await store.playlistSongs(id: body.playlistId, limit: settings.maxPlaylistItems)
        let outcome = try await store.enqueuePlaylist(
            songIDs: songs.map(\.id), requestedBy: try await actions.voterKey(context), privilege: context.privilege,
            settings: settings, now: PartySettings.now())
        guard !outcome.entries.isEmpty else {
            if songs.isEmpty { throw APIError(.conflict, "That playlist has no songs on the box.") }
            throw outcome.refusals.first ?? RuleError.conflict("None of that playlist's songs can be queued now.")
        }
        _ = try await actions.queueAfterChange()
        let added = outcome.entries.count
        var message =
            "\(added == 1 ? "1 song" : "\(added) songs") of \(playlist.name) \(added == 1 ? "is" : "are") in the queue."
        if let reason = outcome.refusals.first {
            let count = outcome.refusals.count
            message += " \(count == 1 ? "One was" : "\(count) were") left out: \(reason.message)"
        }
        let entries = outcome.entries
        return EditedResponse(status: .created, response: PlaylistResult(entries: entries, message: message))
    }

    // MARK: Library state and export

    func library(context: RaveboxRequestContext) async throws -> LibraryView {
        let settings = try await actions.settings.current()
        var connectivity = "unknown"
        var stored: Int64 = 0
        if let sources {
            connectivity = "\(await sources.connectivity(settings).current())"
            stored = sources.uploads.usage().stored
        }
        return LibraryView(
            songs: try await store.songCount(), scan: try await store.scanProgress(), connectivity: connectivity,
            uploads: .init(
                permission: settings.uploads.rawValue,
                allowed: sources != nil && settings.uploads.allows(context.privilege), storedBytes: stored,
                quotaBytes: Int64(settings.uploadQuota) * 1_048_576))
    }

    /// `GET /api/playlog.m3u?from=<unix s>&to=<unix s>` (admin): what played in that span as an M3U playlist
    /// (default: the last 24 hours).
    func playLogExport(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        try await actions.authorize(.settings, context)
        let now = Date().timeIntervalSince1970
        func time(_ name: String, default value: Double) throws -> Double {
            guard let text = request.uri.queryParameters.get(name) else { return value }
            guard let number = Double(text), number.isFinite else {
                throw APIError(.badRequest, "\(name) must be a time in seconds since 1970.")
            }
            return number
        }
        let from = try time("from", default: now - 86_400)
        let to = try time("to", default: now)
        let entries = try await store.playLog(from: from, to: to).map {
            (path: $0.path, title: $0.title, artist: $0.artist, duration: $0.duration)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "audio/x-mpegurl; charset=utf-8",
                .contentDisposition: "attachment; filename=\"ravebox-playlog.m3u\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: M3UPlaylist.render(entries))))
    }
}
