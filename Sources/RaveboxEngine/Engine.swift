import Atomics
import Foundation
import Logging
import RaveboxAudio
import RaveboxButtons
import RaveboxCore
import RaveboxDSP
import RaveboxIPC
import RaveboxMedia
import RaveboxStore
import Synchronization

/// The engine's control loop: takes the next song when idle, hands it to the ``Player``, obeys commands
/// from the web process and the buttons, and publishes telemetry and heartbeats.
///
/// It runs on its own thread (``run(until:)`` blocks) and owns its parts, each with one job and touched only
/// on that thread: ``PlaybackSession`` (the song, paused, volume, position saves), ``AlarmController``,
/// ``NextSongPlanner`` (the next song, preload, autoplay, gains), ``SettingsSync`` and
/// ``TelemetryPublisher``. The realtime work happens on the player's decoder and output threads and on the
/// ``LightThread``; this loop only wakes on a command (futex doorbell) or every ``tick``.
///
/// ```swift
/// let engine = Engine(configuration: configuration, store: store, segment: segment, logger: logger)
/// try engine.run(until: stop)  // on a thread of its own, until `stop` becomes true
/// ```
public final class Engine: @unchecked Sendable {
    // @unchecked: all mutable state (the parts, `screen`, the party and capture bookkeeping) is touched only
    // by the thread running `run(until:)`. Other threads reach only `perform(_:)` (a Mutex), `showJoinUntil`
    // (an atomic) and the immutable `configuration`, `logger` and `player` (itself thread-safe).

    /// Longest sleep between two passes of the loop.
    static let tick: Duration = .milliseconds(20)

    let configuration: EngineConfiguration
    let store: Store
    let segment: SharedSegment
    let logger: Logger
    let player: Player

    let session: PlaybackSession
    let alarm: AlarmController
    let planner: NextSongPlanner
    let settingsSync: SettingsSync
    private let telemetry: TelemetryPublisher
    private let pid = getpid()
    private let loudness: LoudnessWorker
    private var watchdog = Watchdog()
    /// The analysis and light thread (it owns the realtime analysis).
    let lights: LightThread
    /// What the screen thread shows, set from this loop and the buttons.
    let screenCues = ScreenCues()
    /// The screen, when there is one.
    private var screen: ScreenThread?
    var partyActive = false
    var lastPartyCheck = -Double.infinity
    /// The queue's change count the activity LED last saw: taken when the engine is made, so a request made
    /// while it starts still blinks.
    var requestsSeen: UInt64
    /// Button actions waiting for the control loop.
    let buttonActions = Mutex<[ButtonAction]>([])
    /// The capture input, when the analysis listens to a line-in instead of the music played.
    private let capture: ALSACapture?
    private var captureRetry = -Double.infinity

    /// Until when (monotonic nanoseconds) the screen shows the join QR codes; 0 = not asked.
    public var showJoinUntil: ManagedAtomic<UInt64> { screenCues.showJoinUntil }

    /// The settings as the loop last read them.
    var settings: BoxSettings { settingsSync.settings }

    public init(configuration: EngineConfiguration, store: Store, segment: SharedSegment, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.segment = segment
        self.logger = logger
        requestsSeen = segment.changeCount(.queue)
        var fifo: FIFOSink?
        if let path = configuration.snapcastFIFO {
            do {
                fifo = try FIFOSink(path: path, logger: logger)
            } catch {
                logger.error("no Snapcast pipe: \(error)")
            }
        }
        let player = Player(
            device: configuration.audioDevice, format: configuration.format,
            periodFrames: configuration.format.sampleRate * configuration.periodMilliseconds / 1000,
            periods: configuration.periods, pacing: configuration.pacing, fifo: fifo, logger: logger)
        self.player = player
        loudness = LoudnessWorker(store: store, segment: segment, logger: logger)
        let capture = configuration.captureDevice.map {
            ALSACapture(device: $0, format: configuration.format, logger: logger)
        }
        self.capture = capture
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
        // What the analysis (and so the lights) listens to: the capture input in capture mode, else the
        // frames handed to the playback device, stamped with when they are heard.
        lights = Self.makeLightThread(
            configuration: configuration, store: store, analysis: analysis,
            tap: { capture?.tap ?? player.analysisTap }, logger: logger)
        settingsSync = SettingsSync(store: store, segment: segment, logger: logger)
        session = PlaybackSession(
            store: store, segment: segment, player: player, configuration: configuration, logger: logger)
        alarm = AlarmController(
            store: store, segment: segment, player: player, soundsDirectory: configuration.soundsDirectory,
            alarmStart: lights.alarmStart, logger: logger)
        planner = NextSongPlanner(
            store: store, segment: segment, player: player, settings: settingsSync,
            measurements: loudness.measurements, logger: logger)
        telemetry = TelemetryPublisher(segment: segment, lights: lights, screen: screenCues)
        settingsSync.onChange = { [unowned self] in self.apply($0) }
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
        screen = ScreenThread.open(
            configuration: configuration, cues: screenCues, spectrum: lights.spectrum, store: store,
            segment: segment, logger: logger)
        settingsSync.refresh()
        lights.start()  // after the settings: the first frame already shows each output's program
        defer { lights.stop() }
        screen?.start()
        defer { screen?.stop() }
        alarm.prepareSounds()
        session.restore(gain: planner.gain(for:))
        while !stop.load(ordering: .acquiring) {
            segment.beat(.engine, pid: pid)
            while let command = segment.commands.pop() { handle(command) }
            handleButtonActions()
            while let event = player.nextEvent() { handle(event) }
            planner.startNextSongIfIdle(session: session, alarmSounding: alarm.isSounding)
            startCaptureIfDue()
            planner.preloadNextSong(session: session, alarmSounding: alarm.isSounding)
            session.savePositionIfDue(alarmSounding: alarm.isSounding)
            settingsSync.refreshIfStale()
            checkPartyModeIfDue()
            noteRequests()
            telemetry.publish(status: player.status, session: session, alarm: alarm)
            let progress = player.progress
            if let thread = watchdog.observe(decoder: progress.decoder, output: progress.output, now: Self.seconds()) {
                stuck = thread
                logger.critical(
                    "the audio \(thread) thread has not moved for \(Int(watchdog.limit)) s: restarting the engine")
                throw EngineError.audioThreadStuck(thread: thread)
            }
            _ = segment.waitForCommands(timeout: Self.tick)
        }
        if session.current != nil { session.savePosition(player.status.position) }
    }

    /// A playback command from the web process (or a button).
    func handle(_ command: Command) {
        switch command.kind {
        case .play:
            guard session.paused else { return }
            session.setPaused(false)
            if alarm.isSounding { return }  // the song resumes when the alarm ends
            if let current = session.current, player.status.state == .idle {
                session.play(from: current.position, gain: planner.gain(for: current.songID))
            } else {
                player.resume()
            }
        case .pause:
            guard !session.paused else { return }
            session.setPaused(true)
            if alarm.isSounding { return }  // the alarm plays out; the song then stays paused
            player.pause()
            if session.current != nil { session.savePosition(player.status.position) }
        case .skip:
            guard let current = session.current else { return }
            if alarm.isSounding {
                // Skipping during the alarm skips the song it interrupted; the alarm plays out.
                alarm.forgetResume()
                finishCurrent(outcome: .skipped, reason: nil)
                return
            }
            // A skip that names a play (a vote-out) only skips that play, not one that started meanwhile.
            if command.value != 0 {
                guard Int64(command.value) == current.playID else { return }
                session.votedOut = current.playID
            }
            // Skipping while paused resumes playback with the next song.
            if session.paused { session.setPaused(false) }
            if player.status.state == .idle {
                finishCurrent(outcome: .skipped, reason: nil)
            } else {
                player.stop()
            }
        case .setVolume:
            session.setVolume(command.value)
        case .seek:
            guard let current = session.current, !session.paused, !alarm.isSounding else { return }
            let position = min(max(0, command.value), current.duration)
            // Re-opening the same play ends the old decode with `.stopped`; that is not a skip.
            session.reopening = player.status.state == .idle ? nil : session.token
            planner.forgetPreload()
            session.play(from: position, gain: planner.gain(for: current.songID))
        case .probe:
            break  // `ravebox ipc-probe`'s own ring; never sent to an engine
        case .alarm:
            soundAlarm(asBuzzer: true)
        }
    }

    private func handle(_ event: PlayerEvent) {
        let token = PlayToken(rawValue: event.token)
        if alarm.owns(token) {
            switch event {
            case .finished, .failed, .stopped: alarm.end(session: session, gain: planner.gain(for:))
            case .started: break
            }
            return
        }
        switch event {
        case .started:
            planner.takeIfPreloaded(token, session: session)
            if session.isCurrent(token) { session.noteStarted() }
        case .finished:
            guard session.isCurrent(token) else { return }
            finishCurrent(outcome: .finished, reason: nil)
        case .stopped:
            if token != nil, session.reopening == token {
                session.reopening = nil
                return
            }
            guard session.isCurrent(token) else { return }
            finishCurrent(outcome: .skipped, reason: nil)
        case .failed(_, let reason):
            if planner.failIfPreloaded(token, reason: reason) { return }
            guard session.isCurrent(token), let current = session.current else { return }
            logger.warning("skipping \(current.path): \(reason)", metadata: ["song": "\(current.songID)"])
            finishCurrent(outcome: .failed, reason: reason)
        }
    }

    /// The current song ended: the session records it, the alarm may sound, the planner chooses again.
    private func finishCurrent(outcome: PlayOutcome, reason: String?) {
        session.finish(outcome: outcome, reason: reason, modes: settingsSync.modes)
        if outcome == .finished, alarm.soundAtRandom(settings: settings, session: session) {
            planner.forgetPreload()
        }
        planner.songEnded(outcome: outcome)
    }

    private func soundAlarm(asBuzzer: Bool) {
        if alarm.sound(asBuzzer: asBuzzer, settings: settings, session: session) { planner.forgetPreload() }
    }

    /// New settings: the player's crossfade, the lights, the screen's program and frame rate.
    private func apply(_ settings: BoxSettings) {
        player.setCrossfade(seconds: settings.crossfade)
        updateLights()
        screenCues.program.store(ScreenProgram.allCases.firstIndex(of: settings.screenProgram) ?? 0, ordering: .relaxed)
        screenCues.framesPerSecond.store(settings.screenFramesPerSecond, ordering: .relaxed)
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

    /// Monotonic seconds.
    static func seconds() -> Double { Double(SharedSegment.monotonicNanos()) / 1e9 }
}
