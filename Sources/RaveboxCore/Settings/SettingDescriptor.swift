/// One row of the settings schema: a setting's key, type, default, accepted values, group and a
/// one-line description, and how to read and write it on ``BoxSettings``.
///
/// Encodes (for the admin page) as
/// `{"key", "type", "default", "min"?, "max"?, "choices"?, "maxLength"?, "group", "description"}`.
public struct SettingDescriptor: Sendable, Encodable {
    /// The camelCase key used in JSON, in the settings table and in ``BoxSettings``.
    public let key: String
    public let kind: SettingKind
    /// The value a new box starts with.
    public let defaultValue: SettingValue
    public let group: SettingGroup
    /// One line for the admin: what the setting does, with its unit.
    public let summary: String
    private let read: @Sendable (BoxSettings) -> SettingValue
    private let write: @Sendable (inout BoxSettings, SettingValue) -> Void

    private init(
        key: String, kind: SettingKind, group: SettingGroup, summary: String,
        read: @escaping @Sendable (BoxSettings) -> SettingValue,
        write: @escaping @Sendable (inout BoxSettings, SettingValue) -> Void
    ) {
        self.key = key
        self.kind = kind
        self.defaultValue = read(BoxSettings())
        self.group = group
        self.summary = summary
        self.read = read
        self.write = write
    }

    /// The setting's current value in `settings`.
    public func value(in settings: BoxSettings) -> SettingValue { read(settings) }

    /// Checks a value against the setting and returns it in canonical form.
    ///
    /// - Throws: ``RuleError/badRequest(_:)`` naming the setting and what it accepts:
    ///   "downvotesToKick must be a whole number from 1 to 100, not 0."
    public func validate(_ value: SettingValue) throws(RuleError) -> SettingValue {
        guard let normalized = kind.normalize(value) else {
            throw .badRequest("\(key) must be \(kind.accepted), not \(value).")
        }
        return normalized
    }

    /// Sets a value that ``validate(_:)`` returned.
    func assign(_ value: SettingValue, to settings: inout BoxSettings) { write(&settings, value) }

    // MARK: Rows

    static func bool(
        _ key: String, _ path: WritableKeyPath<BoxSettings, Bool> & Sendable, _ group: SettingGroup,
        _ summary: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            key: key, kind: .bool, group: group, summary: summary, read: { .bool($0[keyPath: path]) },
            write: { settings, value in
                if case .bool(let flag) = value { settings[keyPath: path] = flag }
            })
    }

    static func integer(
        _ key: String, _ path: WritableKeyPath<BoxSettings, Int> & Sendable, _ range: ClosedRange<Int>,
        _ group: SettingGroup, _ summary: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            key: key, kind: .integer(range), group: group, summary: summary, read: { .int($0[keyPath: path]) },
            write: { settings, value in
                if case .int(let number) = value { settings[keyPath: path] = number }
            })
    }

    static func number(
        _ key: String, _ path: WritableKeyPath<BoxSettings, Double> & Sendable, _ range: ClosedRange<Double>,
        _ group: SettingGroup, _ summary: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            key: key, kind: .number(range), group: group, summary: summary,
            read: { .double($0[keyPath: path]) },
            write: { settings, value in
                if case .double(let number) = value { settings[keyPath: path] = number }
            })
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ path: WritableKeyPath<BoxSettings, Choice> & Sendable, _ group: SettingGroup,
        _ summary: String
    ) -> SettingDescriptor where Choice.RawValue == String {
        SettingDescriptor(
            key: key, kind: .choice(Choice.allCases.map(\.rawValue)), group: group, summary: summary,
            read: { .string($0[keyPath: path].rawValue) },
            write: { settings, value in
                if case .string(let text) = value, let choice = Choice(rawValue: text) {
                    settings[keyPath: path] = choice
                }
            })
    }

    static func text(
        _ key: String, _ path: WritableKeyPath<BoxSettings, String> & Sendable, maxLength: Int,
        _ group: SettingGroup, _ summary: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            key: key, kind: .text(maxLength: maxLength), group: group, summary: summary,
            read: { .string($0[keyPath: path]) },
            write: { settings, value in
                if case .string(let text) = value { settings[keyPath: path] = text }
            })
    }

    // MARK: Encodable

    private enum CodingKeys: String, CodingKey {
        case key, type, `default`, min, max, choices, maxLength, group, description
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(kind.typeName, forKey: .type)
        try container.encode(defaultValue, forKey: .default)
        switch kind {
        case .bool: break
        case .integer(let range):
            try container.encode(range.lowerBound, forKey: .min)
            try container.encode(range.upperBound, forKey: .max)
        case .number(let range):
            try container.encode(range.lowerBound, forKey: .min)
            try container.encode(range.upperBound, forKey: .max)
        case .choice(let choices):
            try container.encode(choices, forKey: .choices)
        case .text(let maxLength):
            try container.encode(maxLength, forKey: .maxLength)
        }
        try container.encode(group, forKey: .group)
        try container.encode(summary, forKey: .description)
    }
}
