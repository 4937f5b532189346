/// Why the engine loop ended by itself.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// An audio thread stopped making progress (see `Watchdog`); a fresh engine process resumes the song.
    case audioThreadStuck(thread: String)

    public var description: String {
        switch self {
        case .audioThreadStuck(let thread):
            "the audio \(thread) thread is stuck (a device or file that never answers); a new engine resumes the song"
        }
    }
}
