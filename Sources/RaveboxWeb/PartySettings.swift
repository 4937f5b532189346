import Foundation
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import Synchronization

/// The box's settings as the web process uses them: read from the store and kept until the settings
/// change counter in shared memory moves (whichever process wrote them), so no request reads a stale
/// setting and none pays for a database read when nothing changed.
public final class PartySettings: Sendable {
    private let store: Store
    private let segment: SharedSegment
    private let cached = Mutex<(count: UInt64, settings: BoxSettings)?>(nil)

    public init(store: Store, segment: SharedSegment) {
        self.store = store
        self.segment = segment
    }

    /// The current settings.
    public func current() async throws(StoreError) -> BoxSettings {
        let count = segment.changeCount(.settings)
        if let cached = cached.withLock({ $0 }), cached.count == count { return cached.settings }
        let settings = try await store.boxSettings()
        cached.withLock { $0 = (count, settings) }
        return settings
    }

    /// Stores a validated patch and tells every process.
    public func update(_ patch: [String: SettingValue]) async throws -> BoxSettings {
        let settings = try await store.updateSettings(patch)
        segment.bump(.settings)
        return settings
    }

    /// Net downvotes that send a song away now: the store's rule for the current settings
    /// (``Store/kickThreshold(settings:now:)``), the same the engine's vote-up button applies.
    public func kickThreshold(now: Double) async throws(StoreError) -> KickThreshold {
        try await store.kickThreshold(settings: try await current(), now: now)
    }

    /// Unix time in seconds.
    public static func now() -> Double { Date().timeIntervalSince1970 }
}
