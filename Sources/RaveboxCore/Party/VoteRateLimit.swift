/// At most 10 votes per voter in any 30 seconds; the 11th is refused with HTTP 429 and a `Retry-After`.
///
/// Raveberry only limited votes in the browser (a token bucket in `buttons-voting.ts`), which a script
/// ignores. Here the web process keeps each voter's recent vote times and asks this rule before storing a
/// vote. Idempotent votes already make repeated votes harmless to the count; the limit protects the box
/// (every vote is a write transaction and a broadcast to every phone).
public struct VoteRateLimit: Sendable, Equatable {
    /// Votes allowed per window.
    public var limit: Int
    /// Window length in seconds.
    public var window: Double
    /// What is being limited, for the refusal's sentence.
    public var activity: Activity

    /// What a limit counts (the same rule also limits wrong passwords and new sessions).
    public enum Activity: Sendable, Equatable {
        case voting
        case loggingIn
        case startingSessions

        /// The refusal's sentence without the wait.
        var refusal: String {
            switch self {
            case .voting: "You're voting too often."
            case .loggingIn: "Too many wrong passwords."
            case .startingSessions: "Too many new sessions from this device: allow cookies for this page."
            }
        }
    }

    /// 10 votes per 30 s, as Raveberry's client-side bucket.
    public static let standard = VoteRateLimit(limit: 10, window: 30)

    public init(limit: Int, window: Double, activity: Activity = .voting) {
        self.limit = limit
        self.window = window
        self.activity = activity
    }

    /// Checks one more vote at `now` against the voter's earlier votes.
    ///
    /// - Parameters:
    ///   - recentVotes: Unix times (seconds) of the voter's earlier accepted votes; older ones are ignored.
    ///   - now: Unix time in seconds.
    /// - Throws: ``RuleError/tooManyRequests(_:retryAfter:)`` with the seconds until the oldest vote in the
    ///   window leaves it.
    public func check(recentVotes: [Double], now: Double) throws(RuleError) {
        let inWindow = recentVotes.filter { now - $0 < window }.sorted()
        guard inWindow.count >= limit else { return }
        let retryAfter = max(0, inWindow[inWindow.count - limit] + window - now)
        let seconds = max(1, Int(retryAfter.rounded(.up)))
        throw .tooManyRequests(
            "\(activity.refusal) Try again in \(seconds) second\(seconds == 1 ? "" : "s").",
            retryAfter: retryAfter)
    }
}
