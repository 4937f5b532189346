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

/// The lights API (mods): read the outputs and change what each one shows; plus the live LED preview.
extension WebApp {
    func addLightRoutes(to router: Router<RaveboxRequestContext>) {
        router.get("/api/lights") { _, context in try lights(context: context) }
        router.patch("/api/lights/{name}") { request, context in
            try await patchLight(request, context: context)
        }
        router.ws("/api/live/leds") { inbound, outbound, context in
            guard context.requestContext.privilege >= .mod else { return }
            try await Self.send(ledFeed.subscribe(), over: outbound, whileOpen: inbound) {
                .binary(ByteBuffer(bytes: $0))
            }
        }
        router.get("/api/status") { _, context in try engineStatus(context: context) }
    }

    /// Refuses guests with "Only mods and the admin may `action`; log in first."
    func requireMod(_ context: RaveboxRequestContext, to action: String) throws {
        guard context.privilege >= .mod else {
            throw APIError(.forbidden, "Only mods and the admin may \(action); log in first.")
        }
    }

    func lights(context: RaveboxRequestContext) throws -> LightsView {
        try requireMod(context, to: "change the lights")
        return LightsView(
            outputs: try site.ledOutputs.map(view), programs: LightProgram.allCases.map(\.rawValue),
            partyLightProgram: try settings.current().partyLightProgram.rawValue)
    }

    func patchLight(_ request: Request, context: RaveboxRequestContext) async throws -> LightOutputView {
        try requireMod(context, to: "change the lights")
        let name = context.parameters.get("name") ?? ""
        guard let output = site.ledOutputs.first(where: { $0.name == name }) else {
            throw APIError(.notFound, "There is no LED output called \(name).")
        }
        let patch = try await body(
            [String: SettingValue].self, request, context, example: "{\"program\": \"rave\", \"brightness\": 0.5}")
        // A bad value is a RuleError, which the error middleware turns into a 400 naming the field.
        let updated = try store.lightSettings(output: name).applying(patch)
        try store.setLightSettings(updated, output: name)
        segment.bump(.settings)
        return try view(output)
    }

    private func view(_ output: LEDOutputConfiguration) throws -> LightOutputView {
        LightOutputView(
            name: output.name, type: output.kind.rawValue, target: output.target, leds: output.ledCount,
            fps: output.framesPerSecond, status: try store.lightStatus(output: output.name),
            settings: try store.lightSettings(output: output.name))
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

extension WebApp {
    func engineStatus(context: RaveboxRequestContext) throws -> EngineStatusView {
        try requireMod(context, to: "see the engine's status")
        let telemetry = segment.telemetry.read()
        let now = SharedSegment.monotonicNanos()
        let hasLatency = telemetry.ledLatencyP50Micros > 0
        var lights: [String: String] = [:]
        for output in site.ledOutputs { lights[output.name] = try store.lightStatus(output: output.name) }
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
}
