import Foundation
import Logging
import RaveboxCore
import RaveboxLights

/// Opens the LED output a configuration entry describes.
enum LightOutputs {
    /// Multicast instead of a host: `host: multicast` on an `e131` output.
    static let multicastHost = "multicast"

    /// - Parameter sourceID: the E1.31 CID to use (kept across restarts by the engine).
    static func make(_ configuration: LEDOutputConfiguration, sourceID: UUID?) throws -> any LEDOutput {
        let count = configuration.ledCount
        let device = configuration.device ?? configuration.kind.defaultDevice ?? ""
        let host = configuration.host ?? ""
        let port = configuration.port ?? configuration.kind.defaultPort ?? 0
        switch configuration.kind {
        case .ws2812, .sk6812:
            let clock: WS2812SPIEncoding.SPIClock = configuration.spiClock == 2_400_000 ? .mhz2_4 : .mhz3_2
            return try WS2812SPIOutput(path: device, ledCount: count, clock: clock)
        case .apa102:
            return try APA102SPIOutput(path: device, ledCount: count, chip: .apa102)
        case .sk9822:
            return try APA102SPIOutput(path: device, ledCount: count, chip: .sk9822)
        case .pca9685:
            return try PCA9685Output(
                path: device, address: UInt8(configuration.address),
                channels: PCA9685Encoding.Channels(red: 0, green: 1, blue: 2))
        case .wled:
            return try WLEDRealtimeOutput(host: host, port: port, ledCount: count)
        case .ddp:
            return try DDPOutput(host: host, port: port, ledCount: count)
        case .e131:
            let cid = sourceID ?? UUID()
            if host == multicastHost {
                return try E131Output(
                    multicastPort: port, ledCount: count, startUniverse: configuration.universe, cid: cid)
            }
            return try E131Output(
                host: host, port: port, ledCount: count, startUniverse: configuration.universe, cid: cid)
        }
    }
}

/// The Raspberry Pi's onboard LEDs as the box uses them (Raveberry's `leds.py`): ACT lights up for a guest's
/// request, PWR stays on and follows the alarm (on while the alarm envelope is at 0.7 or more).
///
/// Missing LEDs (a desktop, a Pi model without PWR) are logged once at start; a failing write is logged once and
/// that LED is left alone from then on. An LED that is the box's status LED (`buttons: status_led`, which the
/// supervisor drives) is left out.
final class OnboardLEDs {
    private var activity: OnboardLED?
    private var power: OnboardLED?
    private let logger: Logger

    /// nil (after one log line) when neither LED exists under `root`.
    /// - Parameter statusLED: the name of the LED the status LED uses, which this leaves alone.
    init?(root: String, statusLED: String? = nil, logger: Logger) {
        self.logger = logger
        func open(_ names: [String], role: String) -> OnboardLED? {
            guard let name = OnboardLED.firstExisting(names, root: root), name != statusLED else { return nil }
            do {
                return try OnboardLED(name: name, root: root)
            } catch {
                logger.error("onboard \(role) LED: \(error)")
                return nil
            }
        }
        activity = open(OnboardLED.activityLEDNames, role: "activity")
        power = open(OnboardLED.powerLEDNames, role: "power")
        if activity == nil && power == nil {
            logger.notice(
                "no onboard LEDs under \(root) (looked for \((OnboardLED.activityLEDNames + OnboardLED.powerLEDNames).joined(separator: ", "))); onboard_leds does nothing on this machine"
            )
            return nil
        }
    }

    /// Sets both LEDs; each writes only when its state changes.
    func update(activity isActive: Bool, alarmFactor: Float?) {
        if let led = activity {
            do { try led.set(isActive) } catch {
                logger.error("onboard activity LED: \(error); leaving it alone")
                activity = nil
            }
        }
        if let led = power {
            do { try led.set(alarmFactor.map { $0 >= 0.7 } ?? true) } catch {
                logger.error("onboard power LED: \(error); leaving it alone")
                power = nil
            }
        }
    }

    /// Gives both LEDs back to the kernel's triggers.
    func restore() {
        try? activity?.restore()
        try? power?.restore()
    }
}
