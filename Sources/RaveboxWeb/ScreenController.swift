import Foundation
import Hummingbird
import RaveboxCore
import RaveboxIPC
import RaveboxScreen

/// The box's screen, for mods: `GET /api/screen.png` draws what it shows now, and its program changes through
/// `PUT /api/screen/program` or the lights page's form (`POST /lights/screen`, without JavaScript).
struct ScreenController: Sendable {
    let reader: PartyStateReader
    let segment: SharedSegment
    let settings: PartySettings
    let site: SiteInfo
    let screen: ScreenMirror

    /// The API and the form; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/api/screen.png") { request, context in try await screenPNG(request, context: context) }
        routes.put("/api/screen/program", use: setScreenProgram)
        routes.post("/lights/screen", use: screenForm)
        return routes
    }

    /// What the screen shows, built from the party's state: the same model the engine draws.
    func screenModel() async throws -> ScreenModel {
        let state = try await reader.read()
        let telemetry = segment.telemetry.read()
        var model = ScreenModel()
        model.bands = Array(telemetry.bands.prefix(telemetry.bandCount))
        model.level = telemetry.level
        model.current = state.currentSong.map { ScreenModel.Playing($0, elapsed: telemetry.position) }
        model.upcoming = state.queue.prefix(ScreenModel.maximumUpcoming).map(ScreenModel.Song.init)
        model.hashtag = state.hashtag ?? ""
        model.partyMode = state.partyMode
        if state.playback == .alarm { model.alarmFactor = 1 }
        model.wifi = site.wifiName.map { ScreenModel.WiFi(name: $0, password: site.wifiPassword) }
        model.url = site.partyURL
        return model
    }

    func screenPNG(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        try context.requireMod(to: "see the screen")
        let settings = try await settings.current()
        var layout = ScreenLayout(rawValue: settings.screenProgram.rawValue) ?? .nowPlaying
        if let name = request.uri.queryParameters.get("layout") {
            guard let chosen = ScreenLayout(rawValue: String(name)) else {
                throw APIError(
                    .badRequest,
                    "layout must be one of " + ScreenLayout.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            layout = chosen
        }
        var model = try await screenModel()
        if settings.screenProgram == .disabled, request.uri.queryParameters.get("layout") == nil {
            model = ScreenModel()
            layout = .bars
        }
        guard let png = screen.png(model, layout: layout) else {
            throw APIError(.serviceUnavailable, "The box has no font to draw the screen with (fonts-dejavu-core).")
        }
        return Response(
            status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: png)))
    }

    struct ScreenProgramBody: Decodable { var program: String }

    /// `PUT /api/screen/program {"program": "bars"}` (mods): what the screen shows.
    func setScreenProgram(_ request: Request, context: RaveboxRequestContext) async throws -> [String: String] {
        try context.requireMod(to: "change the screen")
        let body = try await request.decodeJSON(
            ScreenProgramBody.self, context: context, example: "{\"program\": \"bars\"}")
        _ = try await settings.update(["screenProgram": .string(body.program)])
        return ["program": body.program]
    }

    /// The lights page's screen program without JavaScript.
    func screenForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        if let gate = context.pageGate(.mod) { return gate }
        let fields = try await request.formFields()
        _ = try await settings.update(["screenProgram": .string(fields["program"] ?? "")])
        return Response(status: .seeOther, headers: [.location: "/lights#screen-title"])
    }
}
