/// A configuration the box refuses to start with. Each case names the key, where the value came from
/// and what would have been accepted, so the person at the keyboard can fix it in one go.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(key: String, value: String, source: String, accepted: String)
    case unknownKey(key: String, source: String, accepted: [String])
    case unreadableFile(path: String, reason: String)
    case malformedFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let key, let value, let source, let accepted):
            "invalid value \"\(value)\" for \(key) (from \(source)): expected \(accepted)"
        case .unknownKey(let key, let source, let accepted):
            "unknown key \"\(key)\" in \(source): accepted keys are \(accepted.joined(separator: ", "))"
        case .unreadableFile(let path, let reason):
            "cannot read the configuration file \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "the configuration file \(path) is not valid YAML: \(reason)"
        }
    }
}
