import Yams

/// A configuration the box refuses to start with. Each case names the key, where the value came from
/// and what would have been accepted, so the person at the keyboard can fix it in one go. The value of a secret
/// (``ConfigurationLayer/secretKeys``) is never shown, and a YAML syntax error names the line and column, not
/// the line's text: these messages go to the journal.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(key: String, value: String, source: String, accepted: String)
    case unknownKey(key: String, source: String, accepted: [String])
    case unreadableFile(path: String, reason: String)
    case malformedFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let key, let value, let source, let accepted):
            let shown = ConfigurationLayer.secretKeys.contains(key) ? "(hidden)" : "\"\(value)\""
            return "invalid value \(shown) for \(key) (from \(source)): expected \(accepted)"
        case .unknownKey(let key, let source, let accepted):
            return "unknown key \"\(key)\" in \(source): accepted keys are \(accepted.joined(separator: ", "))"
        case .unreadableFile(let path, let reason):
            return "cannot read the configuration file \(path): \(reason)"
        case .malformedFile(let path, let reason):
            return "the configuration file \(path) is not valid YAML: \(reason)"
        }
    }

    /// This error with the value of a secret key replaced by `(hidden)`, so not even a dump of it shows the value.
    func hidingSecrets() -> ConfigurationError {
        guard case .invalid(let key, _, let source, let accepted) = self, ConfigurationLayer.secretKeys.contains(key)
        else { return self }
        return .invalid(key: key, value: "(hidden)", source: source, accepted: accepted)
    }

    /// Where Yams found a syntax error and what it is, without the text of the line: the line may hold a
    /// password (`admin_password: a:b` is such an error).
    static func yamlProblem(_ error: any Error) -> String {
        guard let error = error as? YamlError else { return "it cannot be read as YAML" }
        func at(_ mark: Mark) -> String { "line \(mark.line), column \(mark.column)" }
        func context(_ context: YamlError.Context?) -> String {
            context.map { " (\($0.text) at \(at($0.mark)))" } ?? ""
        }
        switch error {
        case .scanner(let found, let problem, let mark, _), .parser(let found, let problem, let mark, _),
            .composer(let found, let problem, let mark, _):
            return "\(at(mark)): \(problem)\(context(found))"
        case .reader(let problem, let offset, _, let yaml):
            guard let offset else { return problem }
            let lines = yaml.prefix(offset).split(separator: "\n", omittingEmptySubsequences: false)
            return "line \(lines.count), column \((lines.last?.count ?? 0) + 1): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let found):
            return "\(at(found.mark)): a key appears twice (\(duplicates.sorted().joined(separator: ", ")))"
        case .no, .memory, .writer, .emitter, .representer, .dataCouldNotBeDecoded:
            return "\(error)"
        }
    }
}
