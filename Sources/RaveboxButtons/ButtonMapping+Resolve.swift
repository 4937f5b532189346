import RaveboxCore
import Yams

extension ButtonMapping {
    /// The buttons' wiring from the configuration: nil for `buttons: off`, ``default`` for `on`, or the
    /// `buttons:` mapping of ravebox.yaml, validated.
    /// - Throws: a decoding error naming the key that is wrong, or a ``ButtonMappingError``.
    public static func resolve(_ setting: ButtonsSetting) throws -> ButtonMapping? {
        switch setting {
        case .off: return nil
        case .on: return .default
        case .mapping(let yaml):
            let mapping = try YAMLDecoder().decode(ButtonMapping.self, from: yaml)
            try mapping.validate()
            return mapping
        }
    }
}
