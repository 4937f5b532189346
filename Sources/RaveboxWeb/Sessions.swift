import RaveboxCore
import RaveboxStore
import Synchronization

/// Guest sessions: stored in the database (so a login survives a restart of the web process) and kept
/// in memory, since only this process changes them.
public final class Sessions: Sendable {
    public struct Session: Sendable, Equatable {
        public var privilege: Privilege
        public var colorIndex: Int
    }

    private let store: Store
    private let cache = Mutex<[String: Session]>([:])

    public init(store: Store) {
        self.store = store
    }

    /// The session with this id, created as a guest's when new.
    public func session(id: String, device: String?) async throws(StoreError) -> Session {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        let stored = try await store.session(id: id, device: device)
        let session = Session(
            privilege: Privilege(rawValue: stored.privilege) ?? .guest, colorIndex: stored.colorIndex)
        cache.withLock { $0[id] = session }
        return session
    }

    /// Changes a session's privilege (login, logout, first-run setup).
    public func setPrivilege(_ privilege: Privilege, session id: String) async throws(StoreError) {
        try await store.setPrivilege(privilege.rawValue, session: id)
        cache.withLock { $0[id]?.privilege = privilege }
    }
}
