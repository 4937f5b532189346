/// How long a session lasts: an idle limit (since the session was last seen) and an absolute one (since it
/// began). A guest's session ends when either passes; a mod's or the admin's privilege ends sooner than the
/// session itself and leaves a guest's session behind, so the person keeps their colour and votes.
///
/// ```swift
/// switch SessionLifetime.standing(of: times, privilege: .mod, now: now) {
/// case .valid: break
/// case .privilegeExpired: /* the session goes on as a guest's */
/// case .expired: /* forget it; a new one is issued when it is needed */
/// }
/// ```
public struct SessionLifetime: Sendable, Equatable {
    /// Seconds without a request before it ends.
    public var idle: Double
    /// Seconds after it began that it ends, however active.
    public var absolute: Double

    public init(idle: Double, absolute: Double) {
        self.idle = idle
        self.absolute = absolute
    }

    /// A guest's session: a day idle, a week in all (a party, the morning after, next weekend's party is new).
    public static let guest = SessionLifetime(idle: 24 * 3600, absolute: 7 * 24 * 3600)
    /// A mod's or the admin's privilege: two hours idle, twelve hours after logging in (one night).
    public static let privileged = SessionLifetime(idle: 2 * 3600, absolute: 12 * 3600)

    /// When a session began and was last seen, and when it got its privilege; Unix times in seconds.
    public struct Times: Sendable, Equatable {
        public var createdAt: Double
        public var lastSeenAt: Double
        /// When the privilege (mod, admin) was granted; ignored for guests.
        public var privilegedAt: Double?

        public init(createdAt: Double, lastSeenAt: Double, privilegedAt: Double? = nil) {
            self.createdAt = createdAt
            self.lastSeenAt = lastSeenAt
            self.privilegedAt = privilegedAt
        }
    }

    /// What is left of a session.
    public enum Standing: Sendable, Equatable {
        case valid
        /// The session holds, as a guest's: the mod or admin privilege timed out.
        case privilegeExpired
        /// The session is over.
        case expired
    }

    /// Whether this lifetime has passed for something that began at `start` and was last seen at `lastSeen`.
    public func hasPassed(start: Double, lastSeen: Double, now: Double) -> Bool {
        now - lastSeen >= idle || now - start >= absolute
    }

    /// The standing of a session with `times` and `privilege` at `now`, by ``guest`` and ``privileged``.
    public static func standing(of times: Times, privilege: Privilege, now: Double) -> Standing {
        if guest.hasPassed(start: times.createdAt, lastSeen: times.lastSeenAt, now: now) { return .expired }
        guard privilege > .guest else { return .valid }
        let granted = times.privilegedAt ?? times.createdAt
        let passed = privileged.hasPassed(start: granted, lastSeen: max(times.lastSeenAt, granted), now: now)
        return passed ? .privilegeExpired : .valid
    }
}
