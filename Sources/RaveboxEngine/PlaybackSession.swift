import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The song playing and how: its play, paused, the volume, position saves, and recording its start and end
/// in the store. Control loop only.
final class PlaybackSession {
    private let store: Store
    private let segment: SharedSegment
    private let player: Player
    private let logger: Logger
    private let configuration: EngineConfiguration

    /// The song playing (or paused), nil when none.
    private(set) var current: CurrentSong?
    /// The player's token for `current`: its play, or the preload it was queued as for gapless playback.
    private(set) var token: PlayToken?
    private(set) var paused = false
    /// 0...1.
    private(set) var volume = 1.0
    /// The play being restarted at another position (seek) or interrupted by the alarm: its `.stopped`
    /// event is not an end.
    var reopening: PlayToken?
    /// The play being skipped because the party voted it down (it is not repeated).
    var votedOut: Int64?
    /// Monotonic seconds of the last position save.
    private var lastPositionSave = 0.0
    /// Whether this engine has started a song yet (for the boot-to-music line).
    private var playedSinceStart = false

    init(store: Store, segment: SharedSegment, player: Player, configuration: EngineConfiguration, logger: Logger) {
        self.store = store
        self.segment = segment
        self.player = player
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether `token` names the current song.
    func isCurrent(_ token: PlayToken?) -> Bool {
        current != nil && token != nil && token == self.token
    }

    /// Picks up where a previous engine left off: volume, paused flag and the current song at its position.
    func restore(gain: (Int64) -> Float) {
        do {
            let settings = try store.playerSettings()
            paused = settings.paused
            volume = settings.volume
            player.setVolume(volume)
            if let song = try store.currentSong() {
                current = song
                token = .play(song.playID)
                logger.info(
                    "resuming \(song.title) at \(TimeFormat.clock(song.position))",
                    metadata: ["song": "\(song.songID)"])
                if !paused { play(from: song.position, gain: gain(song.songID)) }
            }
        } catch {
            logger.error("cannot read the player state: \(error)")
        }
    }

    /// `song` was taken from the queue and plays (or is about to) as `token`.
    func begin(_ song: CurrentSong, as token: PlayToken) {
        current = song
        self.token = token
        lastPositionSave = Engine.seconds()
        notePlayed(song.path)
        segment.bump(.queue)
        segment.bump(.currentSong)
    }

    /// Has the player play the current song from `position` seconds.
    func play(from position: Double, gain: Float) {
        guard let current, let token else { return }
        player.play(path: current.path, from: position, token: token.rawValue, gain: gain)
    }

    /// The player's `.started` for the current song: the log, the boot-to-music line, the event.
    func noteStarted() {
        guard let current else { return }
        logger.info("playing \(current.title)", metadata: ["song": "\(current.songID)"])
        if !playedSinceStart {
            playedSinceStart = true
            if let uptime = Self.secondsSinceBoot() {
                logger.notice("boot to music: \(String(format: "%.1f", uptime)) s since the machine started")
            }
        }
        segment.bump(.currentSong)
    }

    /// The current song ended: its play log row, a repeat when the modes ask for one, the event.
    func finish(outcome: PlayOutcome, reason: String?, modes: PlaybackModes) {
        guard let song = current else { return }
        do {
            try store.endPlay(playID: song.playID, outcome: outcome, reason: reason)
            let now = Date().timeIntervalSince1970
            if let again = modes.repeatAddition(
                songID: song.songID, outcome: outcome, votedOut: votedOut == song.playID, now: now)
            {
                try store.add(again)
                segment.bump(.queue)
            }
        } catch {
            logger.error("cannot record the end of \(song.title): \(error)")
        }
        votedOut = nil
        current = nil
        segment.bump(.currentSong)
        segment.bump(.logs)
    }

    /// Sets the paused flag and keeps it for the next engine.
    func setPaused(_ paused: Bool) {
        self.paused = paused
        persist()
    }

    /// Sets the volume (clamped to 0...1) on the player and keeps it for the next engine.
    func setVolume(_ volume: Double) {
        self.volume = min(1, max(0, volume))
        player.setVolume(self.volume)
        persist()
    }

    /// The current song's position, as it will be resumed.
    func setPosition(_ position: Double) {
        current?.position = position
    }

    /// Saves the current song's position now.
    func savePosition(_ position: Double) {
        guard let current else { return }
        try? store.savePosition(playID: current.playID, seconds: position)
    }

    /// Saves the position every `positionSaveInterval` seconds while a song plays.
    func savePositionIfDue(alarmSounding: Bool) {
        guard let current, !paused, !alarmSounding else { return }
        let now = Engine.seconds()
        guard now - lastPositionSave >= configuration.positionSaveInterval else { return }
        lastPositionSave = now
        let position = player.status.position
        do {
            try store.savePosition(playID: current.playID, seconds: position)
            self.current?.position = position
        } catch {
            logger.error("cannot save the playback position: \(error)")
        }
    }

    private func persist() {
        do {
            try store.savePlayerSettings(PlayerSettings(paused: paused, volume: volume))
            segment.bump(.currentSong)
        } catch {
            logger.error("cannot save the player settings: \(error)")
        }
    }

    /// Seconds since the machine booted (`/proc/uptime`), nil where there is none.
    static func secondsSinceBoot() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// A downloaded song started: its file's modification time becomes now (the cache's "last played").
    private func notePlayed(_ path: String) {
        guard let cache = configuration.downloadCache, path.hasPrefix(cache + "/") else { return }
        if utimes(path, nil) != 0 { logger.debug("cannot mark \(path) as played: errno \(errno)") }
    }
}
