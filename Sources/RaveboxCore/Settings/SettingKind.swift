/// A setting's type and the values it accepts. ``SettingsSchema`` checks every patch against it and the
/// admin page draws its inputs from it.
public enum SettingKind: Sendable, Equatable {
    /// `true` or `false`.
    case bool
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    /// A finite number in the range (a whole number is accepted too).
    case number(ClosedRange<Double>)
    /// One of the listed strings.
    case choice([String])
    /// Any text up to the length, in characters.
    case text(maxLength: Int)

    /// The type's name in the schema document: `bool`, `integer`, `number`, `choice` or `text`.
    public var typeName: String {
        switch self {
        case .bool: "bool"
        case .integer: "integer"
        case .number: "number"
        case .choice: "choice"
        case .text: "text"
        }
    }

    /// What the setting accepts, to follow "`key` must be ": "a whole number from 1 to 100".
    public var accepted: String {
        switch self {
        case .bool: "true or false"
        case .integer(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .number(let range): "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
        case .choice(let choices): "one of " + choices.joined(separator: ", ")
        case .text(let maxLength): "text of at most \(maxLength) characters"
        }
    }

    /// The value in its canonical form (`.int` for integers, `.double` for numbers), or `nil` when this
    /// kind does not accept it. An integer setting takes `3.0` as 3 (JSON does not tell 3 from 3.0 on
    /// every client) but refuses 2.5; strings are never read as numbers.
    public func normalize(_ value: SettingValue) -> SettingValue? {
        switch (self, value) {
        case (.bool, .bool):
            return value
        case (.integer(let range), .int(let number)):
            return range.contains(number) ? value : nil
        case (.integer(let range), .double(let number)):
            guard number.isFinite, number.rounded() == number, let whole = Int(exactly: number),
                range.contains(whole)
            else { return nil }
            return .int(whole)
        case (.number(let range), .int(let number)):
            let double = Double(number)
            return range.contains(double) ? .double(double) : nil
        case (.number(let range), .double(let number)):
            return number.isFinite && range.contains(number) ? .double(number == 0 ? 0 : number) : nil
        case (.choice(let choices), .string(let text)):
            return choices.contains(text) ? value : nil
        case (.text(let maxLength), .string(let text)):
            return text.count <= maxLength ? value : nil
        default:
            return nil
        }
    }

    /// Reads a value from the settings table's string (see ``SettingValue/storedString``), before range
    /// checks; `nil` when the text is not of this type.
    public func parse(stored text: String) -> SettingValue? {
        switch self {
        case .bool:
            switch text {
            case "true": .bool(true)
            case "false": .bool(false)
            default: nil
            }
        case .integer: Int(text).map(SettingValue.int)
        case .number: Double(text).map(SettingValue.double)
        case .choice, .text: .string(text)
        }
    }

    /// `1`, `0.5`, `168`: a number without a trailing `.0`, for messages.
    public static func format(_ number: Double) -> String {
        if number.isFinite, number.rounded() == number, abs(number) < 1e15 {
            return String(Int(number))
        }
        return String(number)
    }
}
