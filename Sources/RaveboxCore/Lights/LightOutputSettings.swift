/// What the party-mode switch sets every LED output to (``BoxSettings/partyLightProgram``).
public enum PartyLightProgram: String, Sendable, Codable, CaseIterable {
    /// Party mode leaves each output's program alone.
    case none
    case rave
    case pulse
    case rainbow
    case strobe

    /// The program outputs show in party mode, nil for ``none``.
    public var program: LightProgram? { LightProgram(rawValue: rawValue) }
}

/// What one LED output shows, changed live on the lights page (mods) and kept in the settings table under
/// ``storageKey(output:)`` as JSON. Wiring (kind, device, LED count, colour order) comes from `ravebox.yaml`.
///
/// ```swift
/// var settings = LightOutputSettings()
/// settings = try settings.applying(["program": .string("rave"), "brightness": .double(0.6)])
/// ```
public struct LightOutputSettings: Sendable, Equatable, Codable {
    public var program: LightProgram = .disabled
    /// 0...1 of full light.
    public var brightness = 1.0
    /// Every LED shows the frame's mean colour.
    public var monochrome = false
    /// `#rrggbb` of `fixed` and `pulse`.
    public var color = "#ffffff"
    /// Rainbow cycles per second.
    public var speed = 0.5
    /// Strobe flashes per second.
    public var strobeRate = 10.0
    /// Gamma exponent; 1 = no correction.
    public var gamma = 2.2

    public init(program: LightProgram = .disabled) {
        self.program = program
    }

    /// The settings-table key holding an output's settings.
    public static func storageKey(output: String) -> String { "lights." + output }

    /// Accepted values of each field, as the API's error messages and the lights page say them.
    public static let brightnessRange = 0.0...1.0
    public static let speedRange = 0.0...10.0
    public static let strobeRateRange = 0.5...20.0
    public static let gammaRange = 1.0...3.0

    /// The settings with `patch` applied after validating all of it (either every value is taken or none).
    ///
    /// - Throws: ``RuleError/badRequest(_:)`` naming the first bad key (alphabetically) and what it accepts.
    public func applying(_ patch: [String: SettingValue]) throws(RuleError) -> LightOutputSettings {
        var result = self
        for key in patch.keys.sorted() {
            guard let value = patch[key] else { continue }
            func number(_ range: ClosedRange<Double>) throws(RuleError) -> Double {
                let number: Double? =
                    switch value {
                    case .int(let integer): Double(integer)
                    case .double(let double): double
                    default: nil
                    }
                guard let number, range.contains(number) else {
                    throw .badRequest("\(key) must be a number from \(range.lowerBound) to \(range.upperBound).")
                }
                return number
            }
            switch key {
            case "program":
                guard case .string(let text) = value, let program = LightProgram(rawValue: text) else {
                    throw .badRequest(
                        "program must be one of " + LightProgram.allCases.map(\.rawValue).joined(separator: ", ") + ".")
                }
                result.program = program
            case "brightness": result.brightness = try number(Self.brightnessRange)
            case "speed": result.speed = try number(Self.speedRange)
            case "strobeRate": result.strobeRate = try number(Self.strobeRateRange)
            case "gamma": result.gamma = try number(Self.gammaRange)
            case "monochrome":
                guard case .bool(let flag) = value else { throw .badRequest("monochrome must be true or false.") }
                result.monochrome = flag
            case "color":
                guard case .string(let text) = value, Self.rgb(text) != nil else {
                    throw .badRequest("color must be a colour like #ff8800.")
                }
                result.color = text.lowercased()
            default:
                throw .badRequest(
                    "\(key) is not a light setting; use program, brightness, monochrome, color, speed, strobeRate "
                        + "or gamma.")
            }
        }
        return result
    }

    /// The red, green and blue bytes of `#rrggbb`, or nil.
    public static func rgb(_ text: String) -> (red: UInt8, green: UInt8, blue: UInt8)? {
        guard text.count == 7, text.hasPrefix("#"), let value = UInt32(text.dropFirst(), radix: 16) else {
            return nil
        }
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}
