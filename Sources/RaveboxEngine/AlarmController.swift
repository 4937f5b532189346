import Atomics
import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The alarm and the buzzer: plays their sound over whatever plays (the song waits at its position and
/// resumes afterwards), sounds the alarm at random after songs in party mode, and keeps the buzzer's
/// cooldown. Control loop only.
final class AlarmController {
    private let store: Store
    private let segment: SharedSegment
    private let player: Player
    private let logger: Logger
    private let soundsDirectory: String?
    /// Monotonic nanoseconds when the sounding alarm started, 0 when none (the light thread's flash).
    private let alarmStart: ManagedAtomic<UInt64>
    /// The alarm and buzzer sounds' files.
    private var sounds: [AlarmSounds.Sound: String] = [:]
    /// The alarm sounding now, and the song to resume at its position afterwards.
    private var sounding: (token: PlayToken, resume: (song: CurrentSong, position: Double)?)?
    private var count: Int64 = 0
    /// Monotonic seconds of the last alarm (for `buzzerCooldown`).
    private var lastAlarm = -Double.infinity
    private var generator = SystemRandomNumberGenerator()

    init(
        store: Store, segment: SharedSegment, player: Player, soundsDirectory: String?,
        alarmStart: ManagedAtomic<UInt64>, logger: Logger
    ) {
        self.store = store
        self.segment = segment
        self.player = player
        self.soundsDirectory = soundsDirectory
        self.alarmStart = alarmStart
        self.logger = logger
    }

    /// Whether an alarm sounds now.
    var isSounding: Bool { sounding != nil }

    /// Whether `token` names the sounding alarm.
    func owns(_ token: PlayToken?) -> Bool {
        sounding != nil && sounding?.token == token
    }

    /// Where the song the alarm interrupted resumes, nil when it interrupted none.
    var resumePosition: Double? { sounding?.resume?.position }

    /// The interrupted song was skipped: nothing resumes after the alarm.
    func forgetResume() {
        sounding?.resume = nil
    }

    /// Writes the sounds into the sounds folder (made when missing).
    func prepareSounds() {
        guard let directory = soundsDirectory else { return }
        do {
            sounds = try AlarmSounds.prepare(in: directory)
        } catch {
            logger.error("cannot write the alarm sounds into \(directory): \(error); the alarm stays silent")
        }
    }

    /// In party mode, after a song, the alarm sounds with probability `alarmProbability`. True when it sounds.
    func soundAtRandom(settings: BoxSettings, session: PlaybackSession) -> Bool {
        guard settings.alarmProbability > 0 else { return false }
        let now = Date().timeIntervalSince1970
        guard
            let guests = try? store.activeGuests(now: now),
            ActiveGuests.isPartyMode(activeGuests: guests, peopleToParty: settings.peopleToParty),
            Double.random(in: 0..<1, using: &generator) < settings.alarmProbability
        else { return false }
        return sound(asBuzzer: false, settings: settings, session: session)
    }

    /// Plays the alarm over whatever plays, unless one sounds already or the buzzer cooldown runs. As the
    /// buzzer, with `buzzerSuccessProbability` ≥ 0, it plays "yes" with that probability, else "no". True when
    /// it sounds (the song queued to follow is then no longer next).
    func sound(asBuzzer: Bool, settings: BoxSettings, session: PlaybackSession) -> Bool {
        let now = Engine.seconds()
        guard sounding == nil, now - lastAlarm >= settings.buzzerCooldown else {
            logger.info("alarm refused: one sounds already or the buzzer cooldown runs")
            return false
        }
        var sound = AlarmSounds.Sound.alarm
        if asBuzzer, settings.buzzerSuccessProbability >= 0 {
            sound = Double.random(in: 0..<1, using: &generator) < settings.buzzerSuccessProbability ? .yes : .no
        }
        guard let path = sounds[sound] else { return false }
        lastAlarm = now
        var resume: (song: CurrentSong, position: Double)?
        if let current = session.current, !session.paused, player.status.state != .idle {
            resume = (current, player.status.position)
            session.reopening = session.token  // its `.stopped` is an interruption, not a skip
        } else if let current = session.current {
            resume = (current, current.position)
        }
        count += 1
        let token = PlayToken.alarm(count)
        sounding = (token, resume)
        alarmStart.store(max(1, SharedSegment.monotonicNanos()), ordering: .relaxed)
        logger.info("alarm: \(sound.rawValue)")
        segment.bump(.currentSong)
        player.play(path: path, from: 0, token: token.rawValue)
        return true
    }

    /// The alarm ended: the song it interrupted goes on where it was (or stays paused).
    func end(session: PlaybackSession, gain: (Int64) -> Float) {
        guard let ended = sounding else { return }
        sounding = nil
        alarmStart.store(0, ordering: .relaxed)
        segment.bump(.currentSong)
        guard let resume = ended.resume, let current = session.current, current.playID == resume.song.playID
        else { return }
        session.setPosition(resume.position)
        if session.paused {
            session.savePosition(resume.position)
        } else {
            session.play(from: resume.position, gain: gain(current.songID))
        }
    }
}
