import Glibc

/// Everything that can go wrong with the shared-memory segment, with what a person needs to fix it.
///
/// `description` is one sentence meant for a log line or the terminal: what failed, on which segment,
/// and what to do about it.
public enum IPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The segment name cannot be used with `shm_open` (empty, too long, or containing `/` after the first
    /// character).
    case invalidName(String, reason: String)
    /// No segment of that name exists (the supervisor creates it; it is gone after a reboot or an unlink).
    case notFound(name: String)
    /// The segment exists but does not start with Ravebox's magic number: it belongs to another program or
    /// is still being created.
    case notRaveboxSegment(name: String, foundMagic: UInt64)
    /// The segment was created by a binary with a different shared-memory layout.
    case layoutVersionMismatch(name: String, found: UInt32, expected: UInt32)
    /// The segment has the right version but not the size this binary expects (truncated or corrupted).
    case sizeMismatch(name: String, found: Int, expected: Int)
    /// The command ring holds `capacity` commands the engine has not read yet; nothing was dropped, the
    /// caller must retry later or report the engine as busy.
    case ringFull(capacity: Int)
    /// A system call failed; `errno` is the C error number.
    case systemCall(operation: String, name: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            return "shared-memory segment name \"\(name)\" is invalid: \(reason)"
        case .notFound(let name):
            return "shared-memory segment \(name) does not exist: start `ravebox run` first (the supervisor "
                + "creates it) or check the --segment name"
        case .notRaveboxSegment(let name, let magic):
            if magic == 0 {
                return "shared-memory segment \(name) is not initialised (still being created, or left half-made "
                    + "by a crash): restart `ravebox run`, which recreates it"
            }
            return "shared-memory segment \(name) is not a Ravebox segment (magic 0x\(String(magic, radix: 16)), "
                + "expected 0x\(String(SharedSegment.magic, radix: 16))): another program uses this name; "
                + "pick another name or remove /dev/shm\(name)"
        case .layoutVersionMismatch(let name, let found, let expected):
            return "shared-memory segment \(name) has layout version \(found) but this ravebox binary speaks "
                + "layout version \(expected): all ravebox processes must come from the same build; restart "
                + "`ravebox run` so the supervisor recreates the segment"
        case .sizeMismatch(let name, let found, let expected):
            return "shared-memory segment \(name) is \(found) bytes but layout version "
                + "\(SharedSegment.layoutVersion) needs \(expected) bytes: the segment is damaged; restart "
                + "`ravebox run` so the supervisor recreates it"
        case .ringFull(let capacity):
            return "the command ring is full (\(capacity) commands the engine has not read): the engine is "
                + "stalled or not running; nothing was dropped, try again later"
        case .systemCall(let operation, let name, let code):
            return "\(operation) failed for shared-memory segment \(name): \(Self.describe(errno: code))"
                + Self.hint(errno: code)
        }
    }

    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }

    static func hint(errno code: Int32) -> String {
        switch code {
        case EACCES, EPERM:
            return "; the segment belongs to another user: run every ravebox process as the same user"
        case ENOSPC, ENOMEM:
            return "; /dev/shm is full or memory is exhausted: check `df /dev/shm`"
        case EMFILE, ENFILE:
            return "; too many open files: raise the file-descriptor limit"
        default:
            return ""
        }
    }
}
