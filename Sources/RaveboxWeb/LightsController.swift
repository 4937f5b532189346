import Foundation
import Hummingbird
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// One LED output as `/api/lights` shows it: its wiring (from `ravebox.yaml`), what it shows and whether it works.
struct LightOutputView: ResponseEncodable, Sendable {
    let name: String
    let type: String
    /// Its device file or `host:port`.
    let target: String
    let leds: Int
    let fps: Double
    /// Empty when the output works, else the engine's reason.
    let status: String
    let settings: LightOutputSettings
}

/// `GET /api/lights`: every output, the programs and the party program.
struct LightsView: ResponseEncodable, Sendable {
    let outputs: [LightOutputView]
    let programs: [String]
    let partyLightProgram: String
}

/// The LED outputs, for mods: the lights API (read the outputs, change what each one shows), the engine's
/// status, and the lights page (`/lights`), whose forms work without JavaScript. The live LED preview is a
/// WebSocket of ``LiveController``.
struct LightsController: Sendable {
    let store: Store
    let segment: SharedSegment
    let settings: PartySettings
    let site: SiteInfo

    /// The API and the page; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/api/lights") { _, context in try await lights(context: context) }
        routes.patch("/api/lights/{name}", use: patchLight)
        routes.get("/api/status") { _, context in try await engineStatus(context: context) }
        routes.get("/lights") { request, context in try await lightsPage(request, context: context) }
        routes.post("/lights/{name}", use: lightsForm)
        return routes
    }

    // MARK: - API

    func lights(context: RaveboxRequestContext) async throws -> LightsView {
        try context.requireMod(to: "change the lights")
        var outputs: [LightOutputView] = []
        for output in site.ledOutputs { outputs.append(try await view(output)) }
        return LightsView(
            outputs: outputs, programs: LightProgram.allCases.map(\.rawValue),
            partyLightProgram: try await settings.current().partyLightProgram.rawValue)
    }

    func patchLight(_ request: Request, context: RaveboxRequestContext) async throws -> LightOutputView {
        try context.requireMod(to: "change the lights")
        let name = context.parameters.get("name") ?? ""
        guard let output = site.ledOutputs.first(where: { $0.name == name }) else {
            throw APIError(.notFound, "There is no LED output called \(name).")
        }
        let patch = try await request.decodeJSON(
            [String: SettingValue].self, context: context, example: "{\"program\": \"rave\", \"brightness\": 0.5}")
        // A bad value is a RuleError, which the error middleware turns into a 400 naming the field.
        let updated = try await store.lightSettings(output: name).applying(patch)
        try await store.setLightSettings(updated, output: name)
        segment.bump(.settings)
        return try await view(output)
    }

    private func view(_ output: LEDOutputConfiguration) async throws -> LightOutputView {
        LightOutputView(
            name: output.name, type: output.kind.rawValue, target: output.target, leds: output.ledCount,
            fps: output.framesPerSecond, status: try await store.lightStatus(output: output.name),
            settings: try await store.lightSettings(output: output.name))
    }

    func engineStatus(context: RaveboxRequestContext) async throws -> EngineStatusView {
        try context.requireMod(to: "see the engine's status")
        let telemetry = segment.telemetry.read()
        let now = SharedSegment.monotonicNanos()
        let hasLatency = telemetry.ledLatencyP50Micros > 0
        var lights: [String: String] = [:]
        for output in site.ledOutputs { lights[output.name] = try await store.lightStatus(output: output.name) }
        return EngineStatusView(
            telemetryAgeSeconds: telemetry.updatedNanos == 0
                ? nil : Double(now &- min(now, telemetry.updatedNanos)) / 1e9,
            xruns: telemetry.xruns, underruns: telemetry.underruns, level: telemetry.level,
            tempo: telemetry.tempo > 0 ? telemetry.tempo : nil, beats: telemetry.beatCount,
            ledFrames: telemetry.ledFrames,
            ledLatencyP50Milliseconds: hasLatency ? Double(telemetry.ledLatencyP50Micros) / 1000 : nil,
            ledLatencyP99Milliseconds: hasLatency ? Double(telemetry.ledLatencyP99Micros) / 1000 : nil,
            ledLagP50Milliseconds: hasLatency ? Double(telemetry.ledLagP50Micros) / 1000 : nil,
            lights: lights)
    }

    // MARK: - Page

    func lightsPage(
        _ request: Request, context: RaveboxRequestContext, error: (output: String, message: String)? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        if let gate = context.pageGate(.mod) { return gate }
        var model = Templates.baseModel(privilege: context.privilege)
        var outputs: [[String: Any]] = []
        for (index, output) in site.ledOutputs.enumerated() {
            let stored = try await store.lightSettings(output: output.name)
            outputs.append([
                "name": output.name, "type": output.kind.rawValue, "target": output.target, "leds": output.ledCount,
                "fps": SettingKind.format(output.framesPerSecond), "index": index,
                "status": try await store.lightStatus(output: output.name),
                "programs": LightProgram.allCases.map { ["value": $0.rawValue, "selected": $0 == stored.program] },
                "brightness": Int((stored.brightness * 100).rounded()), "color": stored.color,
                "speed": SettingKind.format(stored.speed), "monochrome": stored.monochrome,
                "error": error?.output == output.name ? error?.message ?? "" : "",
            ])
        }
        model["outputs"] = outputs
        let current = try await settings.current()
        model["partyLightProgram"] = current.partyLightProgram.rawValue
        model["screenPrograms"] = ScreenProgram.allCases.map {
            ["value": $0.rawValue, "selected": $0 == current.screenProgram]
        }
        return Templates.html(Templates.render("lights", model), request: request, status: status)
    }

    /// The lights page without JavaScript: one output's whole form per post.
    func lightsForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        if let gate = context.pageGate(.mod) { return gate }
        let name = context.parameters.get("name") ?? ""
        guard site.ledOutputs.contains(where: { $0.name == name }) else {
            throw APIError(.notFound, "There is no LED output called \(name).")
        }
        let fields = try await request.formFields()
        var patch: [String: SettingValue] = ["monochrome": .bool(fields["monochrome"] == "on")]
        if let program = fields["program"] { patch["program"] = .string(program) }
        if let color = fields["color"] { patch["color"] = .string(color) }
        if let text = fields["brightness"] {
            patch["brightness"] = Double(text).map { .double($0 / 100) } ?? .string(text)
        }
        if let text = fields["speed"] { patch["speed"] = Double(text).map(SettingValue.double) ?? .string(text) }
        do {
            let updated = try await store.lightSettings(output: name).applying(patch)
            try await store.setLightSettings(updated, output: name)
            segment.bump(.settings)
        } catch let error as RuleError {
            return try await lightsPage(request, context: context, error: (name, error.message), status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/lights#output-\(name)"])
    }
}

/// `GET /api/status`: how the engine is doing, from its telemetry (mods): audio glitches, the analysis and the
/// LED outputs' timing.
struct EngineStatusView: ResponseEncodable, Sendable {
    /// Seconds since the engine last published (large or null: the engine is not running).
    let telemetryAgeSeconds: Double?
    let xruns: UInt64
    let underruns: UInt64
    let level: Float
    /// BPM, null while unknown.
    let tempo: Double?
    let beats: UInt64
    let ledFrames: UInt64
    /// From a sample entering the analysis to its LED bytes being written, over the last second (null: no frames).
    let ledLatencyP50Milliseconds: Double?
    let ledLatencyP99Milliseconds: Double?
    /// LED bytes written minus the moment the sample was heard (median, last second).
    let ledLagP50Milliseconds: Double?
    /// Each LED output's problem, "" when it works.
    let lights: [String: String]
}
