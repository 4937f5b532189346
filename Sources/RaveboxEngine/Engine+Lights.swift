import Foundation
import Logging
import RaveboxAudio
import RaveboxButtons
import RaveboxCore
import RaveboxIPC
import RaveboxLights
import RaveboxStore

extension Engine {
    /// Seconds between two looks at the party size for the lights' party program.
    static let partyCheckInterval = 5.0
    /// How long the activity LED stays lit for a guest's request.
    static let activityBlinkNanos: UInt64 = 150_000_000

    /// The light thread for the configured outputs; `tap` is asked on every pass for what the analysis hears.
    static func makeLightThread(
        configuration: EngineConfiguration, store: Store, analysis: LiveAnalysis?,
        tap: @escaping @Sendable () -> AnalysisTap?, logger: Logger
    ) -> LightThread {
        let lights = configuration.lights
        var cids: [String: UUID] = [:]
        for output in lights.outputs where output.kind == .e131 {
            cids[output.name] = e131SourceID(output: output.name, store: store)
        }
        let cidsByName = cids
        let audioSync = lights.audioSync.map { target in
            { () throws -> WLEDAudioSync in try WLEDAudioSync(host: target.host, port: target.port) }
        }
        var statusLED: String?
        if case .onboard(let name) = (try? ButtonMapping.resolve(configuration.buttons))??.statusLED {
            statusLED = name
        }
        let onboard =
            lights.onboardLEDs
            ? OnboardLEDs(root: configuration.onboardLEDRoot, statusLED: statusLED, logger: logger) : nil
        return LightThread(
            outputs: lights.outputs, analysis: analysis, tap: tap,
            makeOutput: { try LightOutputs.make($0, sourceID: cidsByName[$0.name]) },
            makeAudioSync: audioSync, onboard: onboard,
            onStatus: { name, status in try? store.setLightStatus(status, output: name) }, logger: logger)
    }

    /// The E1.31 source id (CID) of an output: made once and kept, so receivers see the same source across
    /// restarts (the standard asks for a CID that never changes).
    private static func e131SourceID(output: String, store: Store) -> UUID {
        let key = "lights-cid." + output
        if let text = try? store.setting(key), let cid = UUID(uuidString: text) { return cid }
        let cid = UUID()
        try? store.setSetting(key, to: cid.uuidString)
        return cid
    }

    /// Hands each output's settings and the party program to the light thread.
    func updateLights() {
        var controls = LightThread.Controls()
        for output in configuration.lights.outputs {
            let stored = (try? store.lightSettings(output: output.name)) ?? LightOutputSettings()
            controls.settings[output.name] = LightSettings(stored, colorOrder: output.colorOrder)
        }
        controls.partyProgram = settings.partyLightProgram.program
        controls.partyActive = partyActive
        lights.update(controls)
    }

    /// Every few seconds: is the party big enough for the party program?
    func checkPartyModeIfDue() {
        let now = Self.seconds()
        guard settings.partyLightProgram != .none, now - lastPartyCheck >= Self.partyCheckInterval else { return }
        lastPartyCheck = now
        guard let guests = try? store.activeGuests(now: Date().timeIntervalSince1970) else { return }
        let active = ActiveGuests.isPartyMode(activeGuests: guests, peopleToParty: settings.peopleToParty)
        guard active != partyActive else { return }
        partyActive = active
        screenCues.partyMode.store(active, ordering: .relaxed)
        logger.info(active ? "party mode: lights switch to \(settings.partyLightProgram.rawValue)" : "party mode ended")
        updateLights()
    }

    /// A guest's request or vote changed the queue: blink the activity LED.
    func noteRequests() {
        let count = segment.changeCount(.queue)
        defer { requestsSeen = count }
        guard count != requestsSeen else { return }
        lights.activityUntil.store(SharedSegment.monotonicNanos() + Self.activityBlinkNanos, ordering: .relaxed)
    }
}

extension LightSettings {
    /// The renderer's settings for an output's stored settings and its wiring's colour order.
    init(_ stored: LightOutputSettings, colorOrder: String) {
        let rgb = LightOutputSettings.rgb(stored.color) ?? (255, 255, 255)
        self.init(
            program: stored.program, brightness: Float(stored.brightness), monochrome: stored.monochrome,
            color: LEDColor(red: rgb.red, green: rgb.green, blue: rgb.blue), speed: Float(stored.speed),
            strobeRate: Float(stored.strobeRate), gamma: Float(stored.gamma),
            colorOrder: ColorOrder(rawValue: colorOrder) ?? .rgb)
    }
}
