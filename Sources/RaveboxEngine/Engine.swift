import Atomics
import Foundation
import Logging
import RaveboxAudio
import RaveboxButtons
import RaveboxCore
import RaveboxDSP
import RaveboxIPC
import RaveboxLights
import RaveboxMedia
import RaveboxStore
import Synchronization

/// Why the engine loop ended by itself.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// An audio thread stopped making progress (see `Watchdog`); a fresh engine process resumes the song.
    case audioThreadStuck(thread: String)

    public var description: String {
        switch self {
        case .audioThreadStuck(let thread):
            "the audio \(thread) thread is stuck (a device or file that never answers); a new engine resumes the song"
        }
    }
}

/// What the engine needs to know from the box configuration.
public struct EngineConfiguration: Sendable {
    /// ALSA PCM name.
    public var audioDevice: String
    /// Pace writes to real time on devices without a clock (`.auto`), or never (`.off`, benchmarks).
    public var pacing: Pacing
    /// Music folders scanned at start.
    public var libraries: [String]
    /// Seconds between two saves of the playback position.
    public var positionSaveInterval: Double
    /// Folder of the alarm and buzzer sounds (made on first start when missing).
    public var soundsDirectory: String?
    /// A named pipe that also gets what plays, for Snapcast.
    public var snapcastFIFO: String?
    /// ALSA capture device the analysis listens to instead of the music played (`audio_source: capture`).
    public var captureDevice: String?
    /// The format songs are played at, the ALSA period and periods per buffer.
    public var format: AudioFormat
    public var periodMilliseconds: Int
    public var periods: Int
    /// LED outputs, WLED audio sync and onboard LEDs.
    public var lights: LightsConfiguration
    /// Where the onboard LEDs live (`/sys/class/leds`; tests use a folder laid out the same way).
    public var onboardLEDRoot: String
    /// Whether the engine drives a DRM/KMS screen (it looks for one; none is one log line).
    public var screen = false
    /// The party page's address and the Wi-Fi, for the screen's join codes.
    public var joinURL = "http://localhost:8080/"
    public var wifiName: String?
    public var wifiPassword: String?
    /// The box's buttons: off, the default wiring, or a mapping from ravebox.yaml.
    public var buttons: ButtonsSetting = .off
    /// What the power button runs to shut the box down (`systemctl poweroff` on the box); nil = only a log line.
    public var powerOffCommand: [String]?
    /// The web process's cache of downloaded songs: a song from it that starts playing gets its modification
    /// time set to now, which the cache reads as "last played" when it evicts.
    public var downloadCache: String?

    public init(
        audioDevice: String, pacing: Pacing = .auto, libraries: [String] = [], positionSaveInterval: Double = 1,
        soundsDirectory: String? = nil, snapcastFIFO: String? = nil, captureDevice: String? = nil,
        format: AudioFormat = AudioFormat(), periodMilliseconds: Int = 5, periods: Int = 4,
        lights: LightsConfiguration = LightsConfiguration(), onboardLEDRoot: String = OnboardLED.defaultRoot,
        downloadCache: String? = nil, buttons: ButtonsSetting = .off, powerOffCommand: [String]? = nil,
        screen: Bool = false, joinURL: String = "http://localhost:8080/", wifiName: String? = nil,
        wifiPassword: String? = nil
    ) {
        self.screen = screen
        self.joinURL = joinURL
        self.wifiName = wifiName
        self.wifiPassword = wifiPassword
        self.buttons = buttons
        self.powerOffCommand = powerOffCommand
        self.downloadCache = downloadCache
        self.lights = lights
        self.onboardLEDRoot = onboardLEDRoot
        self.format = format
        self.periodMilliseconds = periodMilliseconds
        self.periods = periods
        self.audioDevice = audioDevice
        self.pacing = pacing
        self.libraries = libraries
        self.positionSaveInterval = positionSaveInterval
        self.soundsDirectory = soundsDirectory
        self.snapcastFIFO = snapcastFIFO
        self.captureDevice = captureDevice
    }
}

/// The engine's control loop: takes the next song when idle, hands it to the ``Player``, obeys commands
/// from the web process, writes "started / finished / failed" and the position to the store, and
/// publishes telemetry and heartbeats.
///
/// It runs on its own thread (``run(until:)`` blocks). The realtime work happens on the player's decoder
/// and output threads; this loop only wakes on a command (futex doorbell) or every ``tick``.
public final class Engine: @unchecked Sendable {
    // @unchecked: all mutable state is touched only by the thread running `run(until:)`; the only
    // cross-thread members are `player` (itself thread-safe) and the immutable configuration.

    /// Longest sleep between two passes of the loop.
    static let tick: Duration = .milliseconds(20)
    /// Even without a change counter bump, look at the queue this often (seconds).
    static let queueRecheckInterval: Double = 2

    let configuration: EngineConfiguration
    let store: Store
    let segment: SharedSegment
    let logger: Logger
    let player: Player

    var current: CurrentSong?
    /// The player's token for `current`: its play id, or the token it was queued with for gapless playback.
    private var currentToken: Int64 = 0
    /// The queue entry handed to the player to follow `current` without a gap, and its token (minus the
    /// entry id, so it never equals a play id).
    private var preloaded: (entryID: Int64, token: Int64, gain: Float)?
    /// The queue change counter when the preload was last chosen.
    private var preloadQueueCount: UInt64 = .max
    var paused = false
    var volume = 1.0
    private var lastQueueCount: UInt64 = .max
    private var lastQueueCheck = 0.0
    private var lastPositionSave = 0.0
    private var telemetry = Telemetry()
    /// The play being restarted at another position (seek): its `.stopped` event is not an end.
    private var reopening: Int64?
    /// Settings and playback modes, re-read when the settings change counter moves.
    var settings = BoxSettings()
    private var modes = PlaybackModes()
    private var settingsCount: UInt64 = .max
    /// The play being skipped because the party voted it down (it is not repeated).
    private var votedOut: Int64?
    private var generator = SystemRandomNumberGenerator()
    private let pid = getpid()
    private let loudness: LoudnessWorker
    private var loudnessSeen = 0
    private var watchdog = Watchdog()
    /// The analysis and light thread (it owns the realtime analysis).
    var lights: LightThread!
    /// Whether this engine has started a song yet (for the boot-to-music line).
    private var playedSinceStart = false
    var partyActive = false
    var lastPartyCheck = -Double.infinity
    var requestsSeen: UInt64 = .max
    /// The screen, when there is one.
    var screen: ScreenThread?
    /// Button actions waiting for the control loop.
    let buttonActions = Mutex<[ButtonAction]>([])
    /// Until when (monotonic nanoseconds) the screen shows the join QR codes; 0 = not asked.
    public let showJoinUntil = ManagedAtomic<UInt64>(0)
    /// The capture input, when the analysis listens to a line-in instead of the music played.
    private let capture: ALSACapture?
    private var captureRetry = -Double.infinity
    /// The alarm and buzzer sounds' files.
    private var sounds: [AlarmSounds.Sound: String] = [:]
    /// The alarm sounding now, and the song to resume at its position afterwards.
    private var alarm: (token: Int64, resume: (song: CurrentSong, position: Double)?)?
    private var alarmCount: Int64 = 0
    /// Monotonic seconds of the last alarm (for `buzzerCooldown`).
    private var lastAlarm = -Double.infinity

    public init(configuration: EngineConfiguration, store: Store, segment: SharedSegment, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.segment = segment
        self.logger = logger
        var fifo: FIFOSink?
        if let path = configuration.snapcastFIFO {
            do {
                fifo = try FIFOSink(path: path, logger: logger)
            } catch {
                logger.error("no Snapcast pipe: \(error)")
            }
        }
        self.player = Player(
            device: configuration.audioDevice, format: configuration.format,
            periodFrames: configuration.format.sampleRate * configuration.periodMilliseconds / 1000,
            periods: configuration.periods, pacing: configuration.pacing, fifo: fifo, logger: logger)
        self.loudness = LoudnessWorker(store: store, segment: segment, logger: logger)
        self.capture = configuration.captureDevice.map {
            ALSACapture(device: $0, format: configuration.format, logger: logger)
        }
        var analyzerConfiguration = AnalyzerConfiguration()
        analyzerConfiguration.sampleRate = Double(configuration.format.sampleRate)
        analyzerConfiguration.bandCount = 64
        var analysis: LiveAnalysis?
        do {
            analysis = LiveAnalysis(
                analyzer: try AudioAnalyzer(configuration: analyzerConfiguration),
                channels: configuration.format.channels)
        } catch {
            logger.error("no analysis: \(error)")
        }
        lights = makeLightThread(analysis: analysis)
    }

    /// What the analysis (and so the lights) listens to: the capture input in capture mode, else the
    /// frames handed to the playback device, stamped with when they are heard.
    public var analysisTap: AnalysisTap? {
        capture?.tap ?? player.analysisTap
    }

    /// Opens the audio device and runs the loop until `stop` becomes true; then stops playback,
    /// saves the position and returns.
    public func run(until stop: ManagedAtomic<Bool>) throws {
        try player.start()
        var stuck: String?
        // A stuck thread cannot be joined: then the process ends and takes it along.
        defer { if stuck == nil { player.shutdown() } }
        loudness.start()
        defer { loudness.shutdown() }
        defer { capture?.stop() }
        screen = ScreenThread.open(engine: self, logger: logger)
        readSettings()
        lights.start()  // after the settings: the first frame already shows each output's program
        defer { lights.stop() }
        screen?.start()
        defer { screen?.stop() }
        prepareSounds()
        restore()
        while !stop.load(ordering: .acquiring) {
            segment.beat(.engine, pid: pid)
            while let command = segment.commands.pop() { handle(command) }
            handleButtonActions()
            while let event = player.nextEvent() { handle(event) }
            startNextSongIfIdle()
            startCaptureIfDue()
            let measured = loudness.measurements.load(ordering: .acquiring)
            if measured != loudnessSeen {
                loudnessSeen = measured
                preloadQueueCount = .max  // a gain may have arrived for the song queued next
            }
            preloadNextSong()
            savePositionIfDue()
            if segment.changeCount(.settings) != settingsCount { readSettings() }
            checkPartyModeIfDue()
            noteRequests()
            publishTelemetry()
            let progress = player.progress
            if let thread = watchdog.observe(decoder: progress.decoder, output: progress.output, now: Self.seconds()) {
                stuck = thread
                logger.critical(
                    "the audio \(thread) thread has not moved for \(Int(watchdog.limit)) s: restarting the engine")
                throw EngineError.audioThreadStuck(thread: thread)
            }
            _ = segment.waitForCommands(timeout: Self.tick)
        }
        if let current {
            try? store.savePosition(playID: current.playID, seconds: player.status.position)
        }
    }

    /// Seconds since the machine booted (`/proc/uptime`), nil where there is none.
    static func secondsSinceBoot() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Picks up where a previous engine left off: volume, paused flag and the current song at its position.
    private func restore() {
        do {
            let settings = try store.playerSettings()
            paused = settings.paused
            volume = settings.volume
            player.setVolume(volume)
            if let song = try store.currentSong() {
                current = song
                currentToken = song.playID
                logger.info(
                    "resuming \(song.title) at \(TimeFormat.clock(song.position))",
                    metadata: ["song": "\(song.songID)"])
                if !paused {
                    player.play(path: song.path, from: song.position, token: song.playID, gain: gain(for: song.songID))
                }
            }
        } catch {
            logger.error("cannot read the player state: \(error)")
        }
    }

    func handle(_ command: Command) {
        switch command.kind {
        case .play:
            guard paused else { return }
            paused = false
            persistSettings()
            if alarm != nil { return }  // the song resumes when the alarm ends
            if let current, player.status.state == .idle {
                player.play(
                    path: current.path, from: current.position, token: currentToken, gain: gain(for: current.songID))
            } else {
                player.resume()
            }
        case .pause:
            guard !paused else { return }
            paused = true
            persistSettings()
            if alarm != nil { return }  // the alarm plays out; the song then stays paused
            player.pause()
            if let current { try? store.savePosition(playID: current.playID, seconds: player.status.position) }
        case .skip:
            guard let current else { return }
            if alarm != nil {
                // Skipping during the alarm skips the song it interrupted; the alarm plays out.
                alarm?.resume = nil
                finish(current, outcome: .skipped, reason: nil)
                return
            }
            // A skip that names a play (a vote-out) only skips that play, not one that started meanwhile.
            if command.value != 0 {
                guard Int64(command.value) == current.playID else { return }
                votedOut = current.playID
            }
            if paused {
                // Skipping while paused resumes playback with the next song.
                paused = false
                persistSettings()
            }
            if player.status.state == .idle {
                finish(current, outcome: .skipped, reason: nil)
            } else {
                player.stop()
            }
        case .setVolume:
            volume = min(1, max(0, command.value))
            player.setVolume(volume)
            persistSettings()
        case .seek:
            guard let current, !paused, alarm == nil else { return }
            let position = min(max(0, command.value), current.duration)
            // Re-opening the same play ends the old decode with `.stopped`; that is not a skip.
            reopening = player.status.state == .idle ? nil : currentToken
            preloaded = nil
            preloadQueueCount = .max
            player.play(path: current.path, from: position, token: currentToken, gain: gain(for: current.songID))
        case .queueChanged:
            lastQueueCount = .max
        case .alarm:
            soundAlarm(asBuzzer: true)
        }
    }

    /// In party mode, after a song, the alarm sounds with probability `alarmProbability`.
    private func maybeRandomAlarm() {
        guard settings.alarmProbability > 0 else { return }
        let now = Date().timeIntervalSince1970
        guard
            let guests = try? store.activeGuests(now: now),
            ActiveGuests.isPartyMode(activeGuests: guests, peopleToParty: settings.peopleToParty),
            Double.random(in: 0..<1, using: &generator) < settings.alarmProbability
        else { return }
        soundAlarm(asBuzzer: false)
    }

    /// Opens the capture input; a missing device is logged once and tried again every 10 s.
    private func startCaptureIfDue() {
        guard let capture, Self.seconds() - captureRetry >= 10 else { return }
        let firstTry = captureRetry == -Double.infinity
        captureRetry = .infinity  // started: never again (it recovers by itself)
        do {
            try capture.start()
        } catch {
            if firstTry { logger.error("the lights hear nothing: \(error)") }
            captureRetry = Self.seconds()
        }
    }

    private func prepareSounds() {
        guard let directory = configuration.soundsDirectory else { return }
        do {
            sounds = try AlarmSounds.prepare(in: directory)
        } catch {
            logger.error("cannot write the alarm sounds into \(directory): \(error); the alarm stays silent")
        }
    }

    /// Plays the alarm over whatever plays (the song waits at its position and resumes afterwards),
    /// unless one sounds already or the buzzer cooldown runs. As the buzzer, with
    /// `buzzerSuccessProbability` ≥ 0, it plays "yes" with that probability, else "no".
    private func soundAlarm(asBuzzer: Bool) {
        let now = Self.seconds()
        guard alarm == nil, now - lastAlarm >= settings.buzzerCooldown else {
            logger.info("alarm refused: one sounds already or the buzzer cooldown runs")
            return
        }
        var sound = AlarmSounds.Sound.alarm
        if asBuzzer, settings.buzzerSuccessProbability >= 0 {
            sound = Double.random(in: 0..<1, using: &generator) < settings.buzzerSuccessProbability ? .yes : .no
        }
        guard let path = sounds[sound] else { return }
        lastAlarm = now
        var resume: (song: CurrentSong, position: Double)?
        if let current, !paused, player.status.state != .idle {
            resume = (current, player.status.position)
            reopening = currentToken  // its `.stopped` is an interruption, not a skip
        } else if let current {
            resume = (current, current.position)
        }
        preloaded = nil
        preloadQueueCount = .max
        alarmCount += 1
        let token = Int64.min + alarmCount
        alarm = (token, resume)
        lights.alarmStart.store(max(1, SharedSegment.monotonicNanos()), ordering: .relaxed)
        logger.info("alarm: \(sound.rawValue)")
        segment.bump(.currentSong)
        player.play(path: path, from: 0, token: token)
    }

    /// The alarm ended: the song it interrupted goes on where it was (or stays paused).
    private func endAlarm() {
        guard let ended = alarm else { return }
        alarm = nil
        lights.alarmStart.store(0, ordering: .relaxed)
        segment.bump(.currentSong)
        guard let resume = ended.resume, let current, current.playID == resume.song.playID else { return }
        self.current?.position = resume.position
        if paused {
            try? store.savePosition(playID: current.playID, seconds: resume.position)
        } else {
            player.play(
                path: current.path, from: resume.position, token: currentToken, gain: gain(for: current.songID))
        }
    }

    private func handle(_ event: PlayerEvent) {
        if let alarm, event.token == alarm.token {
            switch event {
            case .finished, .failed, .stopped: endAlarm()
            case .started: break
            }
            return
        }
        switch event {
        case .started(let token):
            if current == nil, let preloaded, preloaded.token == token {
                takePreloaded(preloaded)
            }
            guard let current, currentToken == token else { return }
            logger.info("playing \(current.title)", metadata: ["song": "\(current.songID)"])
            if !playedSinceStart {
                playedSinceStart = true
                if let uptime = Self.secondsSinceBoot() {
                    logger.notice("boot to music: \(String(format: "%.1f", uptime)) s since the machine started")
                }
            }
            _ = segment.events.push(EngineEvent(kind: .songStarted, songID: current.songID))
            segment.bump(.currentSong)
        case .finished(let token):
            guard let current, currentToken == token else { return }
            finish(current, outcome: .finished, reason: nil)
        case .stopped(let token):
            if reopening == token {
                reopening = nil
                return
            }
            guard let current, currentToken == token else { return }
            finish(current, outcome: .skipped, reason: nil)
        case .failed(let token, let reason):
            if let preloaded, preloaded.token == token {
                failPreloaded(preloaded, reason: reason)
                return
            }
            guard let current, currentToken == token else { return }
            logger.warning("skipping \(current.path): \(reason)", metadata: ["song": "\(current.songID)"])
            finish(current, outcome: .failed, reason: reason)
        }
    }

    private func finish(_ song: CurrentSong, outcome: PlayOutcome, reason: String?) {
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
        if outcome == .finished { maybeRandomAlarm() }
        // A song queued to follow survives only a natural end (the player is on it now); a skip or a
        // failure cleared it in the player too.
        if outcome != .finished { preloaded = nil }
        preloadQueueCount = .max
        let kind: EngineEventKind =
            switch outcome {
            case .finished, .playing: .songFinished
            case .skipped: .songSkipped
            case .failed: .songFailed
            }
        _ = segment.events.push(EngineEvent(kind: kind, songID: song.songID, reason: reason ?? ""))
        segment.bump(.currentSong)
        segment.bump(.logs)
        lastQueueCount = .max
    }

    private func startNextSongIfIdle() {
        guard current == nil, !paused, alarm == nil else { return }
        // The player went straight on with the preloaded song; its `.started` is on its way.
        if let preloaded, player.status.token == preloaded.token { return }
        preloaded = nil
        let now = Self.seconds()
        let count = segment.changeCount(.queue)
        let settingsNow = segment.changeCount(.settings)
        guard
            count != lastQueueCount || settingsNow != settingsCount || now - lastQueueCheck >= Self.queueRecheckInterval
        else { return }
        lastQueueCount = count
        lastQueueCheck = now
        do {
            if settingsNow != settingsCount { readSettings() }
            try autoplayIfEmpty()
            guard let next = try store.startNextSong(pick: try nextPicker())
            else { return }
            current = next
            currentToken = next.playID
            lastPositionSave = now
            notePlayed(next.path)
            segment.bump(.queue)
            segment.bump(.currentSong)
            player.play(path: next.path, from: 0, token: next.playID, gain: gain(for: next.songID))
        } catch {
            logger.error("cannot take the next song from the queue: \(error)")
        }
    }

    private func readSettings() {
        settingsCount = segment.changeCount(.settings)
        do {
            settings = try store.boxSettings()
            modes = try store.playbackModes()
            player.setCrossfade(seconds: settings.crossfade)
            updateLights()
            screen?.program.store(
                ScreenProgram.allCases.firstIndex(of: settings.screenProgram) ?? 0, ordering: .relaxed)
            screen?.framesPerSecond.store(settings.screenFramesPerSecond, ordering: .relaxed)
        } catch {
            logger.error("cannot read the settings: \(error)")
        }
    }

    /// The loudness gain for a song: toward the target when normalisation is on and the song was
    /// measured, else 1.
    private func gain(for songID: Int64) -> Float {
        guard settings.loudnessNormalization, let stored = try? store.loudness(songID: songID) else { return 1 }
        let measurement = LoudnessMeasurement(integrated: stored.integrated, truePeak: stored.truePeak)
        return LoudnessGain.linearGain(for: measurement, targetLUFS: settings.loudnessTarget)
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
        let plays = settings.fairness == .roundRobin ? try store.playsPerRequester(since: now - 3600) : [:]
        let (interactivity, fairness, shuffle) = (settings.interactivity, settings.fairness, modes.shuffle)
        return { items in
            var generator = SystemRandomNumberGenerator()
            return QueueOrder.next(
                in: items, interactivity: interactivity, fairness: fairness, playsLastHour: plays, shuffle: shuffle,
                using: &generator)?.id
        }
    }

    /// While a song plays, hands the player the song that comes next so it follows without a gap. Chosen
    /// again whenever the queue or the settings change; the player's choice is final about half a second
    /// before the current song ends.
    private func preloadNextSong() {
        guard current != nil, !paused, alarm == nil, player.status.state == .playing else { return }
        let count = segment.changeCount(.queue)
        guard count != preloadQueueCount || segment.changeCount(.settings) != settingsCount else { return }
        preloadQueueCount = count
        do {
            if segment.changeCount(.settings) != settingsCount { readSettings() }
            try autoplayIfEmpty()
            preloadQueueCount = segment.changeCount(.queue)
            guard let entry = try nextEntry(), let song = try store.song(id: entry.songID) else {
                if preloaded != nil { player.cancelNext() }
                preloaded = nil
                return
            }
            let gain = gain(for: song.id)
            guard preloaded?.entryID != entry.id || preloaded?.gain != gain else { return }
            let token = -entry.id
            preloaded = player.playNext(path: song.path, token: token, gain: gain) ? (entry.id, token, gain) : nil
        } catch {
            logger.error("cannot choose the next song: \(error)")
        }
    }

    /// The player went on with the preloaded song: take its entry from the queue as the current song.
    private func takePreloaded(_ preloaded: (entryID: Int64, token: Int64, gain: Float)) {
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
            current = next
            currentToken = preloaded.token
            lastPositionSave = Self.seconds()
            notePlayed(next.path)
            segment.bump(.queue)
            segment.bump(.currentSong)
        } catch {
            logger.error("cannot start the next song: \(error)")
            player.stop()
        }
    }

    /// The preloaded song could not be opened: it leaves the queue with its reason in the play log, and
    /// the current song plays on.
    private func failPreloaded(_ preloaded: (entryID: Int64, token: Int64, gain: Float), reason: String) {
        self.preloaded = nil
        preloadQueueCount = .max
        do {
            guard let songID = try store.failQueued(entryID: preloaded.entryID, reason: reason) else { return }
            logger.warning("skipping song \(songID): \(reason)", metadata: ["song": "\(songID)"])
            _ = segment.events.push(EngineEvent(kind: .songFailed, songID: songID, reason: reason))
            segment.bump(.queue)
            segment.bump(.logs)
        } catch {
            logger.error("cannot record the failed song: \(error)")
        }
    }

    /// With autoplay on and nothing queued, queues a library song the party liked (not one played in the
    /// last hour).
    private func autoplayIfEmpty() throws {
        guard modes.needsAutoplay(queueIsEmpty: try store.queueItems().isEmpty) else { return }
        let now = Date().timeIntervalSince1970
        guard let pick = Autoplay.choose(from: try store.autoplayCandidates(), now: now, using: &generator) else {
            return
        }
        try store.add(QueueAddition(songID: pick.songID, requester: nil, manuallyRequested: false, requestedAt: now))
        segment.bump(.queue)
    }

    private func savePositionIfDue() {
        guard let current, !paused, alarm == nil else { return }
        let now = Self.seconds()
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

    private func publishTelemetry() {
        let outputs = min(lights.outputCount, Telemetry.previewOutputCapacity)
        lights.report.read { $0.copy(into: &telemetry, outputs: outputs) }
        let status = player.status
        telemetry.state =
            switch status.state {
            case .idle: current != nil && paused ? .paused : .idle
            case .playing: .playing
            case .paused: .paused
            }
        if alarm != nil { telemetry.state = .alarm }
        telemetry.songID = current?.songID ?? 0
        telemetry.position = current == nil ? 0 : (alarm?.resume?.position ?? status.position)
        telemetry.duration = current?.duration ?? 0
        telemetry.volume = volume
        telemetry.xruns = UInt64(status.xruns)
        telemetry.underruns = UInt64(status.underruns)
        telemetry.updatedNanos = SharedSegment.monotonicNanos()
        segment.telemetry.publish(telemetry)
    }

    private func persistSettings() {
        do {
            try store.savePlayerSettings(PlayerSettings(paused: paused, volume: volume))
            segment.bump(.currentSong)
        } catch {
            logger.error("cannot save the player settings: \(error)")
        }
    }

    static func seconds() -> Double { Double(SharedSegment.monotonicNanos()) / 1e9 }

    /// A downloaded song started: its file's modification time becomes now (the cache's "last played").
    private func notePlayed(_ path: String) {
        guard let cache = configuration.downloadCache, path.hasPrefix(cache + "/") else { return }
        if utimes(path, nil) != 0 { logger.debug("cannot mark \(path) as played: errno \(errno)") }
    }
}
