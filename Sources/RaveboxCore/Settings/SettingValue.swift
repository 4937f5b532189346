/// One setting's value as it travels in JSON (`PATCH /api/settings` `{"downvotesToKick": 3}`) and in
/// ``SettingsSchema`` patches: a JSON scalar. Choices (`interactivity`, `fairness`, ...) travel as their
/// raw strings.
///
/// Decoding tries a boolean, then a whole number, then a number, then a string, so `3` is `.int(3)` and
/// `2.5` is `.double(2.5)`. Whether the value fits its setting is ``SettingsSchema``'s job.
public enum SettingValue: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a setting's value is true/false, a number or a string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// The value as the settings table stores it. Doubles use Swift's shortest round-trip form, so
    /// `Double(text)` gives back exactly the same bits.
    public var storedString: String {
        switch self {
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        }
    }

    /// The value as a person reads it in a message: `true`, `3`, `0.5`, `"fullControl"`.
    public var description: String {
        switch self {
        case .bool, .int: storedString
        case .double(let value): SettingKind.format(value)
        case .string(let value): "\"\(value)\""
        }
    }
}

extension SettingValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
