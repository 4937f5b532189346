import RaveboxCore
import Synchronization

/// Remembers when each voter voted, and asks a ``VoteRateLimit`` (the `votesPerWindow` and `voteWindow`
/// settings; 10 votes per 30 s by default) before another vote. Wrong passwords and new sessions are limited
/// the same way, keyed by device.
/// Lives in the web process's memory: a restart forgets it, which only ever lets votes through.
public final class VoteRateLimiter: Sendable {
    public let rule: VoteRateLimit
    private struct History {
        var votes: [String: [Double]] = [:]
        var lastPrune = 0.0
    }

    private let history = Mutex(History())

    public init(rule: VoteRateLimit = .standard) {
        self.rule = rule
    }

    /// Records a vote by `voter` at `now` (Unix seconds), or throws the 429 refusal without recording it.
    /// `limit` replaces the limiter's own rule for this vote (the settings may change during a party).
    public func admit(voter: String, now: Double, limit: VoteRateLimit? = nil) throws(RuleError) {
        let rule = limit ?? self.rule
        try history.withLock { history throws(RuleError) in
            let recent = (history.votes[voter] ?? []).filter { now - $0 < rule.window }
            try rule.check(recentVotes: recent, now: now)
            history.votes[voter] = recent + [now]
            // Forget voters who have not voted for a whole window, so the table stays small at a long
            // party; at most once per window, so a big party does not pay a full scan on every vote.
            if now - history.lastPrune >= rule.window {
                history.lastPrune = now
                history.votes = history.votes.filter { entry in entry.value.contains { now - $0 < rule.window } }
            }
        }
    }

    /// Takes back the attempt `admit` recorded for `voter` at `now` (for limits that count only failed attempts,
    /// like logins: the attempt is counted before the password is checked, so simultaneous tries cannot all pass
    /// the check, and forgiven when it was right).
    public func forgive(voter: String, at now: Double) {
        history.withLock { history in
            guard var times = history.votes[voter], let index = times.lastIndex(of: now) else { return }
            times.remove(at: index)
            history.votes[voter] = times.isEmpty ? nil : times
        }
    }
}
