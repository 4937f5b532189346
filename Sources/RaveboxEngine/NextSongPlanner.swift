import Atomics
import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// Chooses what plays next: takes the next song from the queue when nothing plays, hands the player the song
/// that follows so it plays without a gap (preload), queues a song the party liked when autoplay is on and
/// the queue is empty, and works out each song's loudness gain. Control loop only.
final class NextSongPlanner {
    /// Even without a change counter bump, look at the queue this often (seconds).
    static let queueRecheckInterval: Double = 2

    /// A queue entry handed to the player to follow the current song, and the gain it was handed with.
    struct Preload {
        let entryID: Int64
        let gain: Float
        var token: PlayToken { .preload(entryID: entryID) }
    }

    private let store: Store
    private let segment: SharedSegment
    private let player: Player
    private let settings: SettingsSync
    private let logger: Logger
    /// Bumped by the loudness worker after each measurement.
    private let measurements: ManagedAtomic<Int>
    private var measurementsSeen = 0
    /// The queue entry handed to the player to follow the current song.
    private var preloaded: Preload?
    /// The queue change counter when the preload was last chosen.
    private var preloadQueueCount: UInt64 = .max
    /// The queue change counter and the monotonic seconds when the queue was last looked at while idle.
    private var lastQueueCount: UInt64 = .max
    private var lastQueueCheck = 0.0
    private var generator = SystemRandomNumberGenerator()

    init(
        store: Store, segment: SharedSegment, player: Player, settings: SettingsSync,
        measurements: ManagedAtomic<Int>, logger: Logger
    ) {
        self.store = store
        self.segment = segment
        self.player = player
        self.settings = settings
        self.measurements = measurements
        self.logger = logger
    }

    /// The loudness gain for a song: toward the target when normalisation is on and the song was
    /// measured, else 1.
    func gain(for songID: Int64) -> Float {
        let settings = settings.settings
        guard settings.loudnessNormalization, let stored = try? store.loudness(songID: songID) else { return 1 }
        let measurement = LoudnessMeasurement(integrated: stored.integrated, truePeak: stored.truePeak)
        return LoudnessGain.linearGain(for: measurement, targetLUFS: settings.loudnessTarget)
    }

    /// The preload is no longer next (a seek, the alarm): choose again.
    func forgetPreload() {
        preloaded = nil
        preloadQueueCount = .max
    }

    /// The current song ended. A song queued to follow survives only a natural end (the player is on it
    /// now); a skip or a failure cleared it in the player too.
    func songEnded(outcome: PlayOutcome) {
        if outcome != .finished { preloaded = nil }
        preloadQueueCount = .max
        lastQueueCount = .max
    }

    /// When nothing plays (and nothing is paused or sounding), starts the next song of the queue.
    func startNextSongIfIdle(session: PlaybackSession, alarmSounding: Bool) {
        guard session.current == nil, !session.paused, !alarmSounding else { return }
        // The player went straight on with the preloaded song; its `.started` is on its way.
        if let preloaded, player.status.token == preloaded.token.rawValue { return }
        preloaded = nil
        let now = Engine.seconds()
        let count = segment.changeCount(.queue)
        guard count != lastQueueCount || settings.isStale || now - lastQueueCheck >= Self.queueRecheckInterval
        else { return }
        lastQueueCount = count
        lastQueueCheck = now
        do {
            settings.refreshIfStale()
            try autoplayIfEmpty()
            guard let next = try store.startNextSong(pick: try nextPicker()) else { return }
            session.begin(next, as: .play(next.playID))
            session.play(from: 0, gain: gain(for: next.songID))
        } catch {
            logger.error("cannot take the next song from the queue: \(error)")
        }
    }

    /// While a song plays, hands the player the song that comes next so it follows without a gap. Chosen
    /// again whenever the queue, the settings or a loudness measurement change; the player's choice is final
    /// about half a second before the current song ends.
    func preloadNextSong(session: PlaybackSession, alarmSounding: Bool) {
        let measured = measurements.load(ordering: .acquiring)
        if measured != measurementsSeen {
            measurementsSeen = measured
            preloadQueueCount = .max  // a gain may have arrived for the song queued next
        }
        guard session.current != nil, !session.paused, !alarmSounding, player.status.state == .playing else {
            return
        }
        let count = segment.changeCount(.queue)
        guard count != preloadQueueCount || settings.isStale else { return }
        preloadQueueCount = count
        do {
            settings.refreshIfStale()
            try autoplayIfEmpty()
            preloadQueueCount = segment.changeCount(.queue)
            guard let entry = try nextEntry(), let song = try store.song(id: entry.songID) else {
                if preloaded != nil { player.cancelNext() }
                preloaded = nil
                return
            }
            let gain = gain(for: song.id)
            guard preloaded?.entryID != entry.id || preloaded?.gain != gain else { return }
            let next = Preload(entryID: entry.id, gain: gain)
            preloaded = player.playNext(path: song.path, token: next.token.rawValue, gain: gain) ? next : nil
        } catch {
            logger.error("cannot choose the next song: \(error)")
        }
    }

    /// The player started `token`: when it is the preloaded song, its entry leaves the queue and becomes the
    /// current song.
    func takeIfPreloaded(_ token: PlayToken?, session: PlaybackSession) {
        guard session.current == nil, let preloaded, preloaded.token == token else { return }
        self.preloaded = nil
        do {
            guard
                let next = try store.startNextSong(pick: { items in
                    items.contains { $0.id == preloaded.entryID } ? preloaded.entryID : nil
                })
            else {
                // Removed from the queue in its last half second: stop it, the next pass picks another.
                player.stop()
                return
            }
            session.begin(next, as: preloaded.token)
        } catch {
            logger.error("cannot start the next song: \(error)")
            player.stop()
        }
    }

    /// The player could not open `token`: when it is the preloaded song, it leaves the queue with its reason
    /// in the play log, and the current song plays on. True when it was.
    func failIfPreloaded(_ token: PlayToken?, reason: String) -> Bool {
        guard let preloaded, preloaded.token == token else { return false }
        self.preloaded = nil
        preloadQueueCount = .max
        do {
            guard let songID = try store.failQueued(entryID: preloaded.entryID, reason: reason) else { return true }
            logger.warning("skipping song \(songID): \(reason)", metadata: ["song": "\(songID)"])
            segment.bump(.queue)
            segment.bump(.logs)
        } catch {
            logger.error("cannot record the failed song: \(error)")
        }
        return true
    }

    /// The queue entry that plays next by the party's rules, without taking it from the queue.
    private func nextEntry() throws -> QueueItem? {
        let items = try store.queueItems()
        guard let id = try nextPicker()(items) else { return nil }
        return items.first { $0.id == id }
    }

    /// Picks the entry that plays next among queue items, by the party's rules (interactivity, fairness
    /// with the plays of the last hour, shuffle).
    private func nextPicker() throws -> @Sendable ([QueueItem]) -> Int64? {
        let now = Date().timeIntervalSince1970
        let (settings, modes) = (settings.settings, settings.modes)
        let plays =
            settings.fairness == .roundRobin ? try store.playsPerRequester(since: now - QueueOrder.fairnessWindow) : [:]
        let (interactivity, fairness, shuffle) = (settings.interactivity, settings.fairness, modes.shuffle)
        return { items in
            var generator = SystemRandomNumberGenerator()
            return QueueOrder.next(
                in: items, interactivity: interactivity, fairness: fairness, playsLastHour: plays, shuffle: shuffle,
                using: &generator)?.id
        }
    }

    /// With autoplay on and nothing queued, queues a library song the party liked (not one played in the
    /// last hour).
    private func autoplayIfEmpty() throws {
        guard settings.modes.needsAutoplay(queueIsEmpty: try store.queueItems().isEmpty) else { return }
        let now = Date().timeIntervalSince1970
        guard let pick = Autoplay.choose(from: try store.autoplayCandidates(), now: now, using: &generator) else {
            return
        }
        try store.add(QueueAddition(songID: pick.songID, requester: nil, manuallyRequested: false, requestedAt: now))
        segment.bump(.queue)
    }
}
