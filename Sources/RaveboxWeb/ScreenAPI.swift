import Foundation
import Hummingbird
import RaveboxCore
import RaveboxIPC
import RaveboxScreen
import Synchronization

/// The box's screen as the web sees it: `GET /api/screen.png` renders what the screen shows now (mods), from the
/// same state and with the same renderer as the engine's screen; `PUT /api/screen/program` changes the program.
final class ScreenMirror: Sendable {
    /// The size the mirror renders at (the screen's internal rendering size).
    static let size = (width: 640, height: 360)
    private let renderer: Mutex<ScreenRenderer?>

    init() {
        renderer = Mutex(
            (try? ScreenFont.standard()).map {
                ScreenRenderer(width: Self.size.width, height: Self.size.height, font: $0)
            })
    }

    /// The frame for `model` in `layout` as a PNG, or nil without a font.
    func png(_ model: ScreenModel, layout: ScreenLayout) -> [UInt8]? {
        renderer.withLock { renderer in
            guard let renderer else { return nil }
            var pixels = [UInt32](repeating: 0, count: Self.size.width * Self.size.height)
            pixels.withUnsafeMutableBufferPointer { renderer.render(model, layout: layout, into: $0) }
            return try? PNGEncoder.encode(pixels, width: Self.size.width, height: Self.size.height)
        }
    }
}

extension WebApp {
    func addScreenRoutes(to router: Router<RaveboxRequestContext>) {
        router.get("/api/screen.png") { request, context in try screenPNG(request, context: context) }
        router.put("/api/screen/program") { request, context in
            try await setScreenProgram(request, context: context)
        }
    }

    /// What the screen shows, built from the party's state: the same model the engine draws.
    func screenModel() throws -> ScreenModel {
        let state = try reader.read()
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

    func screenPNG(_ request: Request, context: RaveboxRequestContext) throws -> Response {
        try requireMod(context, to: "see the screen")
        let settings = try settings.current()
        var layout = ScreenLayout(rawValue: settings.screenProgram.rawValue) ?? .nowPlaying
        if let name = request.uri.queryParameters.get("layout") {
            guard let chosen = ScreenLayout(rawValue: String(name)) else {
                throw APIError(
                    .badRequest,
                    "layout must be one of " + ScreenLayout.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            layout = chosen
        }
        var model = try screenModel()
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
        try requireMod(context, to: "change the screen")
        let body = try await body(ScreenProgramBody.self, request, context, example: "{\"program\": \"bars\"}")
        _ = try settings.update(["screenProgram": .string(body.program)])
        return ["program": body.program]
    }
}
