import Dispatch
import RaveboxCore

/// What stands between a stranger and the mod and admin roles: limits on password and setup-code tries, and
/// bcrypt's quarter second of work kept off the threads that serve everything else.
///
/// A try is counted before the password is checked (``VoteRateLimiter/admit(voter:now:limit:)``), so
/// simultaneous tries cannot all pass the limit, and forgiven when it was right. Two limits hold at once: 10
/// tries per 30 s per device, and 60 per minute for the whole box, so many devices (or made-up addresses)
/// together cannot guess quickly either.
final class LoginGuard: Sendable {
    private let perDevice = VoteRateLimiter(rule: VoteRateLimit(limit: 10, window: 30, activity: .loggingIn))
    private let perBox = VoteRateLimiter(rule: VoteRateLimit(limit: 60, window: 60, activity: .loggingIn))
    /// One bcrypt at a time, on a thread of its own: ten logins at once queue here instead of taking the
    /// threads that serve pages and live updates.
    private let bcrypt = DispatchQueue(label: "ravebox.bcrypt")
    static let everyone = "*"

    /// Runs `check` (which uses bcrypt) for a try from `device`, within the limits; `check` answers whether
    /// the try was right.
    ///
    /// - Throws: the 429 refusal when a limit is used up, or what `check` throws.
    func attempt(device: String, _ check: @escaping @Sendable () throws -> Bool) async throws -> Bool {
        let now = PartySettings.now()
        try perDevice.admit(voter: device, now: now)
        do {
            try perBox.admit(voter: Self.everyone, now: now)
        } catch {
            perDevice.forgive(voter: device, at: now)
            throw error
        }
        let right = try await hashing(check)
        if right {
            perDevice.forgive(voter: device, at: now)
            perBox.forgive(voter: Self.everyone, at: now)
        }
        return right
    }

    /// Runs bcrypt work that is not a try (setting a new password) on the same thread.
    func hashing<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            bcrypt.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
