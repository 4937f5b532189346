import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The box's settings and playback modes as the control loop sees them: read again whenever the settings
/// change counter moved, then handed on through `onChange` (the player's crossfade, the lights, the screen).
/// Control loop only.
final class SettingsSync {
    private let store: Store
    private let segment: SharedSegment
    private let logger: Logger
    /// The settings as last read.
    private(set) var settings = BoxSettings()
    /// Shuffle, repeat and autoplay as last read.
    private(set) var modes = PlaybackModes()
    /// The settings change counter when they were last read.
    private var seenCount: UInt64 = .max
    /// Told the new settings after each read.
    var onChange: (BoxSettings) -> Void = { _ in }

    init(store: Store, segment: SharedSegment, logger: Logger) {
        self.store = store
        self.segment = segment
        self.logger = logger
    }

    /// Whether the settings changed since they were last read.
    var isStale: Bool { segment.changeCount(.settings) != seenCount }

    /// Reads the settings and the modes, and hands the settings on.
    func refresh() {
        seenCount = segment.changeCount(.settings)
        do {
            settings = try store.boxSettings()
            modes = try store.playbackModes()
            onChange(settings)
        } catch {
            logger.error("cannot read the settings: \(error)")
        }
    }

    /// Reads them again when they changed.
    func refreshIfStale() {
        if isStale { refresh() }
    }
}
