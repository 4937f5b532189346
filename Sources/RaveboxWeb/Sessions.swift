import RaveboxCore
import RaveboxStore
import Synchronization

/// Guest sessions: stored in the database (so a login survives a restart of the web process), with the ones
/// in use kept in memory, since only this process changes them.
///
/// The server issues every session: a cookie the box did not issue (or has forgotten) finds nothing, and a
/// session begins only when a request needs one (``ensure(_:)``: a vote, a request, an upload, a login), so
/// a page view or a static file costs no write. Sessions end by ``SessionLifetime``; every privilege change
/// gives the session a new token (``setPrivilege(_:_:now:)``), and a new password ends the other sessions of
/// its role (``forgetCached(role:)`` after ``AdminCredentials``).
public final class Sessions: Sendable {
    private let store: Store
    private let cache = Mutex<[String: GuestSession]>([:])
    /// Sessions begun per device: 30 per 10 minutes, so a script without cookies cannot begin a session per vote
    /// (each would be a new voter) or push other guests' sessions out of the table.
    private let starts = VoteRateLimiter(rule: VoteRateLimit(limit: 30, window: 600, activity: .startingSessions))
    /// Tokens kept in memory at most: as many as the store keeps (about 250 bytes each, 5 MB when full), so a
    /// party's sessions are read from the database once, not once per request when more guests act than the
    /// cache holds. Past it, an eighth of them are forgotten (the database still has them all).
    static let cacheLimit = Store.maxSessions
    /// A session's last-seen time is written at most this often (seconds): its idle lifetime is hours.
    static let touchInterval: Double = 300

    public init(store: Store) {
        self.store = store
    }

    /// The session whose cookie holds `token` at `now`, with its lifetimes applied: `nil` for a missing,
    /// malformed, unknown or expired token. A mod's or admin's session whose privilege timed out comes back
    /// as a guest's, under a new token (`renewed`), which the caller sends to the browser.
    func load(token: String?, now: Double) async throws(StoreError) -> (session: GuestSession, renewed: Bool)? {
        guard let token, SessionToken.isWellFormed(token) else { return nil }
        var session: GuestSession
        if let cached = cache.withLock({ $0[token] }) {
            session = cached
        } else {
            guard let stored = try await store.session(token: token) else { return nil }
            session = stored
        }
        switch SessionLifetime.standing(of: session.times, privilege: session.privilege, now: now) {
        case .expired:
            _ = cache.withLock { $0.removeValue(forKey: token) }
            return nil
        case .privilegeExpired:
            let renewed = try await store.setPrivilege(.guest, session: session.id, now: now)
            remember(renewed, replacing: token)
            return (renewed, true)
        case .valid:
            if now - session.times.lastSeenAt >= Self.touchInterval {
                try await store.touchSession(id: session.id, now: now)
                session.times.lastSeenAt = now
            }
            remember(session, replacing: nil)
            return (session, false)
        }
    }

    /// The id of the request's session, begun now when it has none: the guest's identity for votes and
    /// requests. 429 when this device began too many sessions lately (loopback is exempt: that is the box).
    func ensure(_ context: RaveboxRequestContext) async throws -> String {
        if let session = context.sessionSlot.session { return session.id }
        let now = PartySettings.now()
        if let device = context.device, !Self.isLoopback(context.clientAddress) {
            try starts.admit(voter: device, now: now)
        }
        let session = try await store.beginSession(device: context.device, now: now)
        remember(session, replacing: nil)
        return context.sessionSlot.settle(session).id
    }

    /// Gives the request's session `privilege` (login, logout) under a new token, beginning one if needed.
    func setPrivilege(
        _ privilege: Privilege, _ context: RaveboxRequestContext, now: Double
    ) async throws -> GuestSession {
        let id = try await ensure(context)
        let old = context.sessionSlot.session?.token
        let session = try await store.setPrivilege(privilege, session: id, now: now)
        remember(session, replacing: old)
        context.sessionSlot.replace(with: session)
        return session
    }

    /// The request's session became `session` elsewhere (a claim of the box): remember it and send its token.
    func adopt(_ session: GuestSession, _ context: RaveboxRequestContext) {
        remember(session, replacing: context.sessionSlot.session?.token)
        context.sessionSlot.replace(with: session)
    }

    /// Forgets the sessions of `role` kept in memory, after a new password ended them in the database.
    func forgetCached(role: Privilege) {
        cache.withLock { $0 = $0.filter { $0.value.privilege != role } }
    }

    private func remember(_ session: GuestSession, replacing old: String?) {
        cache.withLock { cache in
            if let old, old != session.token { cache[old] = nil }
            if cache.count >= Self.cacheLimit, cache[session.token] == nil {
                // An eighth goes, whichever the table yields first: the rest stay served from memory.
                for token in Array(cache.keys.prefix(Self.cacheLimit / 8)) { cache[token] = nil }
            }
            cache[session.token] = session
        }
    }

    static func isLoopback(_ address: String?) -> Bool {
        guard let address else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}

/// The request's session: loaded by ``GuestSessionMiddleware`` from the cookie, or begun or renewed by a route
/// that needs one. The middleware sends the browser the token of a session begun or renewed during the request.
/// Shared by every copy of the request's context.
public final class SessionSlot: Sendable {
    private struct State {
        var session: GuestSession?
        var issue = false
    }

    private let state = Mutex(State())

    public init() {}

    /// The session, when the request has one.
    public var session: GuestSession? { state.withLock { $0.session } }

    /// The token to send in a `Set-Cookie`, when the session began or changed during this request.
    var tokenToIssue: String? { state.withLock { $0.issue ? $0.session?.token : nil } }

    func load(_ session: GuestSession, issue: Bool) {
        state.withLock { $0 = State(session: session, issue: issue) }
    }

    func replace(with session: GuestSession) {
        load(session, issue: true)
    }

    /// The request's session: `begun` (sent to the browser), unless the request got one meanwhile.
    func settle(_ begun: GuestSession) -> GuestSession {
        state.withLock { state in
            if let session = state.session { return session }
            state = State(session: begun, issue: true)
            return begun
        }
    }
}
