import Foundation
import Logging
import RaveboxButtons
import RaveboxCore
import RaveboxIPC
import RaveboxLights
import RaveboxStatusLight
import RaveboxSupervisor

/// The status LED of `buttons: status_led` (docs/buttons.md), driven by the supervisor, which alone lives through
/// every state: booting until the engine and web processes answer, then ready (or hotspot while the hotspot's
/// interface is up), error while one of them is down or crash-looping.
///
/// Only the supervisor's loop calls ``show(_:)``, one call at a time.
final class BoxStatusLight: @unchecked Sendable {
    /// How often the hotspot interface's state is read.
    static let hotspotCheckInterval: UInt64 = 2_000_000_000

    private let light: StatusLight
    private let hotspotState: String?
    private var hotspotUp = false
    private var nextHotspotCheck: UInt64 = 0

    /// The configured status LED, or nil (after one log line naming the LED and what to check) when there is none
    /// or it cannot be opened.
    static func open(_ config: BoxConfiguration, logger: Logger) -> BoxStatusLight? {
        let mapping: ButtonMapping?
        do {
            mapping = try ButtonMapping.resolve(config.buttons)
        } catch {
            return nil  // the engine reports the bad mapping
        }
        guard let mapping, let led = mapping.statusLED else { return nil }
        let sink: StatusLEDSink
        do {
            switch led {
            case .gpio(let line): sink = try GPIOStatusLED(chip: mapping.chip, line: line)
            case .onboard(let name): sink = try OnboardLED(name: name)
            }
        } catch {
            logger.notice("status LED: \(error); the box runs without it")
            return nil
        }
        let light = StatusLight(sink: sink) { error in
            logger.error("status LED: \(error); leaving it alone")
        }
        return BoxStatusLight(light: light, hotspotInterface: config.appliance.hotspotInterface)
    }

    private init(light: StatusLight, hotspotInterface: String?) {
        self.light = light
        hotspotState = hotspotInterface.map { "/sys/class/net/\($0)/operstate" }
    }

    func show(_ health: Supervisor.Health) {
        let now = SharedSegment.monotonicNanos()
        if let hotspotState, now >= nextHotspotCheck {
            nextHotspotCheck = now + Self.hotspotCheckInterval
            let state = (try? String(contentsOfFile: hotspotState, encoding: .utf8)) ?? ""
            hotspotUp = state.trimmingCharacters(in: .whitespacesAndNewlines) == "up"
        }
        light.show(StatusLEDPattern(starting: health.starting, failing: health.failing, hotspotUp: hotspotUp), now: now)
    }
}
