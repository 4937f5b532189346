import Foundation
import Hummingbird
import RaveboxCore

/// The party page (`/`): rendered on the server so the first paint already shows the song, the queue
/// and a working request form on a slow phone without JavaScript; `party.js` then keeps it live. Also
/// serves the pages' stylesheet, scripts and icon (`/static/{file}`).
///
/// Without JavaScript, `GET /?q=...` lists matching songs with a Request button each (`POST /request`),
/// the vote buttons post to `/queue/{id}/vote` and the hashtag form to `/hashtags`.
struct PartyPageController: Sendable {
    let actions: PartyActions
    let reader: PartyStateReader
    let captive: CaptivePortal
    let site: SiteInfo
    /// Whether this web app has folders for uploads and downloads.
    let sourcesAvailable: Bool

    /// The page, its forms and its assets; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/") { request, context in try await renderPartyPage(request, context: context) }
        routes.post("/request", use: requestFromForm)
        routes.post("/queue/{id}/vote", use: voteFromForm)
        routes.post("/hashtags", use: hashtagFromForm)
        routes.get("/static/{file}") { request, context in
            StaticAssets.shared.response(file: context.parameters.get("file") ?? "", request: request)
        }
        return routes
    }

    struct PageInput {
        var state: PartyState
        var settings: BoxSettings
        var privilege: Privilege
        /// This guest's votes by queue entry id.
        var votes: [Int64: Int]
        var query: String?
        var results: [Song]?
        var message: String?
        /// Whether this web app has folders for uploads and downloads.
        var sourcesAvailable = false
    }

    struct Boot: Encodable {
        var privilege: Privilege
        var interactivity: Interactivity
        var votes: [String: Int]
        var suggestions: Int
        var colors: Bool
        /// Whether the search offers "look online" (YouTube or Jamendo enabled).
        var online: Bool
        /// Whether this guest may upload songs.
        var uploads: Bool
        /// Largest upload in bytes (checked before sending).
        var uploadMaxBytes: Int
    }

    func partyModel(_ input: PageInput) -> [String: Any] {
        let state = input.state
        let interactivity = state.interactivity
        let controls = PartyAction.playbackControl.isAllowed(for: input.privilege, at: interactivity)
        func entry(_ entry: QueueEntry) -> [String: Any] {
            let vote = input.votes[entry.id] ?? 0
            return [
                "id": entry.id, "title": entry.title, "artist": entry.artist,
                "duration": TimeFormat.clock(entry.duration), "votes": entry.votes,
                "up": vote == 1 ? "true" : "false", "down": vote == -1 ? "true" : "false",
                "upValue": vote == 1 ? 0 : 1, "downValue": vote == -1 ? 0 : -1,
            ]
        }
        var model = Templates.baseModel(privilege: input.privilege, partyMode: state.partyMode)
        let song = state.currentSong
        let myVote = song.flatMap { input.votes[$0.entryID] } ?? 0
        let percent = song.map { $0.duration > 0 ? min(100, max(0, $0.position / $0.duration * 100)) : 0 } ?? 0
        model["now"] =
            [
                "entryId": song.map { String($0.entryID) } ?? "",
                "title": song?.title ?? "Nothing is playing. Request a song!",
                "artist": song?.artist ?? "", "percent": String(format: "%.1f", percent),
                "timeline": Self.timeline(state), "votes": song?.votes ?? 0,
                "duration": Int(song?.duration ?? 0), "position": Int(song?.position ?? 0),
                "votable": song != nil && interactivity.acceptsVotes,
                "up": myVote == 1 ? "true" : "false", "down": myVote == -1 ? "true" : "false",
            ] as [String: Any]
        model["failure"] = state.lastFailure.map { "Couldn't play \($0.title): \($0.reason)" } ?? ""
        model["queue"] = state.queue.map(entry)
        model["hasQueue"] = !state.queue.isEmpty
        model["queueTime"] =
            state.queue.isEmpty
            ? "" : "(\(state.queue.count) · \(TimeFormat.clock(state.queue.reduce(0) { $0 + $1.duration })))"
        model["blank"] =
            [
                "id": 0, "title": "", "artist": "", "duration": "", "votes": 0, "up": "false", "down": "false",
                "upValue": 1, "downValue": -1,
            ] as [String: Any]
        model["voting"] = interactivity.acceptsVotes
        model["downvotes"] = interactivity.acceptsDownvotes
        model["controls"] = controls
        model["draggable"] = controls && !interactivity.ordersByVotes
        model["admin"] = input.privilege == .admin
        model["playLabel"] = state.playback == .playing ? "Pause" : "Play"
        model["playIcon"] = state.playback == .playing ? "pause" : "play"
        model["volume"] = Int((state.volume * 100).rounded())
        model["modes"] = [
            "shuffle": String(state.modes.shuffle), "repeat": String(state.modes.repeat),
            "autoplay": String(state.modes.autoplay),
        ]
        model["activeGuests"] = state.activeGuests
        model["visitors"] = state.visitors
        model["hashtag"] = state.hashtag ?? ""
        model["hashtagsAllowed"] = input.settings.hashtagsActive
        model["query"] = input.query ?? ""
        if let results = input.results {
            model["searched"] = true
            model["results"] = results.map { song in
                [
                    "id": song.id, "title": song.title, "artist": song.artist,
                    "duration": TimeFormat.clock(song.duration),
                ]
            }
        }
        model["message"] = input.message ?? ""
        model["partyURL"] = site.partyURL
        let uploads = input.sourcesAvailable && input.settings.uploads.allows(input.privilege)
        model["uploads"] = uploads
        model["boot"] = Templates.scriptJSON(
            Boot(
                privilege: input.privilege, interactivity: interactivity,
                votes: Dictionary(uniqueKeysWithValues: input.votes.map { (String($0.key), $0.value) }),
                suggestions: input.settings.numberOfSuggestions,
                colors: input.settings.colorIndication.isVisible(to: input.privilege),
                online: input.sourcesAvailable
                    && (input.settings.youtubeEnabled
                        || (input.settings.jamendoEnabled && !input.settings.jamendoClientID.isEmpty)),
                uploads: uploads, uploadMaxBytes: input.settings.uploadMaxSize * 1_048_576))
        return model
    }

    /// "01:02 / 03:30 · playing", or the playback state alone when nothing plays.
    static func timeline(_ state: PartyState) -> String {
        let status = state.playback.rawValue + (state.engineOnline ? "" : " (player restarting)")
        guard let song = state.currentSong else { return status }
        return "\(TimeFormat.clock(song.position)) / \(TimeFormat.clock(song.duration)) · \(status)"
    }

    func renderPartyPage(
        _ request: Request, context: RaveboxRequestContext, message: String? = nil
    ) async throws -> Response {
        let settings = try await actions.settings.current()
        let query = request.uri.queryParameters.get("q").map { String($0.prefix(200)) }
        var results: [Song]?
        if let query, !query.trimmingCharacters(in: .whitespaces).isEmpty {
            results = try await actions.store.searchSongs(query, limit: settings.numberOfSuggestions)
        }
        let votes = try await actions.votes(of: context)
        let input = PageInput(
            state: try await reader.read(), settings: settings, privilege: context.privilege, votes: votes,
            query: query, results: results, message: message, sourcesAvailable: sourcesAvailable)
        captive.visited(context.clientAddress)
        return Templates.html(Templates.render("party", partyModel(input)), request: request)
    }

    // MARK: - Forms for phones without JavaScript

    func requestFromForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await request.formFields()
        guard let value = fields["songId"], let songID = Int64(value) else {
            throw APIError(.badRequest, "Choose a song to request.")
        }
        _ = try await actions.requestSong(songID, context: context)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    func voteFromForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await request.formFields()
        guard let value = fields["vote"].flatMap(Int.init) else { throw APIError(.badRequest, "A vote is -1, 0 or 1.") }
        _ = try await actions.castVote(value, entryID: try context.entryID(), context: context)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    func hashtagFromForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await request.formFields()
        try await actions.addHashtag(fields["text"] ?? "", context: context)
        return Response(status: .seeOther, headers: [.location: "/"])
    }
}
