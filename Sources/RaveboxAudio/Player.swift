import Logging
import RaveboxMedia
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's playback core: plays one song at a time from a file to an ALSA device.
///
/// Two dedicated threads do the work: the *decoder thread* opens songs with `AudioDecoder` and fills a
/// `PCMRing` (~0.7 s ahead); the *output thread* (SCHED_FIFO where permitted) moves periods from the ring to
/// the device, applying the volume. The API below is thread-safe and never blocks on either thread, except
/// `start()` (opens the device) and `shutdown()` (joins the threads).
///
/// ```swift
/// let player = Player(device: "default", logger: logger)
/// try player.start()
/// player.play(path: "/music/song.mp3", from: 0, token: 42)
/// while let event = player.nextEvent() {             // poll, e.g. every 50 ms
///     if case .finished(let token) = event { ... }   // play the next song
/// }
/// print(player.status.position)                      // seconds, as heard
/// ```
///
/// A song ends with exactly one of `.finished`, `.failed`, `.stopped` (see `PlayerEvent`); after it the player is
/// idle and writes nothing to the device until the next `play`. A file that cannot be opened or decoded fails
/// within milliseconds, so the engine can go on with the next song.
///
/// On a clockless device (ALSA `null`, or the `file` plugin over `null` in tests) `Pacing.auto` paces the writes
/// to real time; `.off` lets songs run as fast as they decode.
public final class Player: @unchecked Sendable {
    // @unchecked Sendable: mutable state lives in `control` (behind a mutex), `shared` (atomics) and
    // `lifecycle` (the thread handles, behind a mutex that also serialises `start()` and `shutdown()`).
    // `output` is used here only inside `lifecycle`: opened before the output thread exists, closed after it
    // was joined; in between only the output thread touches it.

    /// The format asked for; the device may offer another rate/channel count (see `format`).
    public let requestedFormat: AudioFormat
    /// The ALSA device in use: the one asked for, or "null" after `start()` fell back to it because the machine
    /// has no sound card.
    public var device: String {
        shared.control.withLock { $0.device }
    }

    private let output: any PCMOutput
    private let fifo: FIFOSink?
    private let tapStorage = Mutex<AnalysisTap?>(nil)
    private let pacing: Pacing
    private let realtimePriority: Int32?
    private let logger: Logger
    private let lifecycle = Mutex<[pthread_t]>([])
    private let shared: PlayerShared

    /// Creates a player for the ALSA device `device`. Nothing is opened until `start()`.
    ///
    /// - Parameters:
    ///   - device: ALSA PCM name ("default", "hw:0,0", "plughw:1", ...). "default" on a machine without a sound
    ///     card falls back to ALSA's `null` device (one log line).
    ///   - format: Rate and channels to play at; 48 000 Hz stereo by default.
    ///   - periodFrames: ALSA period in frames; nil = ≈ 5 ms.
    ///   - periods: Periods per ALSA buffer (latency ≈ periodFrames × periods); 4 by default.
    ///   - pacing: Pacing of clockless devices (`.auto`) or none (`.off`, benchmarks).
    ///   - realtimePriority: SCHED_FIFO priority of the output thread (and lock the process's memory); nil keeps
    ///     normal scheduling. Failure to get either is logged once, not fatal.
    ///   - volume: Initial volume, 0...1.
    ///   - logger: For the few lines the player writes (device setup, fallbacks, failed songs).
    public convenience init(
        device: String = "default",
        format: AudioFormat = AudioFormat(),
        periodFrames: Int? = nil,
        periods: Int = 4,
        pacing: Pacing = .auto,
        realtimePriority: Int32? = 70,
        volume: Double = 1,
        fifo: FIFOSink? = nil,
        logger: Logger
    ) {
        let output = ALSAPlayback(
            device: device, format: format, periodFrames: periodFrames, periods: periods, logger: logger
        )
        self.init(
            output: output, pacing: pacing, realtimePriority: realtimePriority, volume: volume, fifo: fifo,
            logger: logger)
    }

    /// Creates a player for any `PCMOutput` (not yet opened). The player owns it from now on.
    public init(
        output: any PCMOutput,
        pacing: Pacing = .auto,
        realtimePriority: Int32? = 70,
        volume: Double = 1,
        fifo: FIFOSink? = nil,
        logger: Logger
    ) {
        self.output = output
        self.fifo = fifo
        requestedFormat = output.format
        self.pacing = pacing
        self.realtimePriority = realtimePriority
        self.logger = logger
        // ~0.7 s of audio between decoder and output: rides out slow file reads and decoder hiccups.
        let format = output.format
        shared = PlayerShared(
            ringSamples: format.sampleRate * format.channels / 2, volume: Self.clampedVolume(volume),
            control: PlayerControl(format: output.format, device: output.deviceName)
        )
    }

    deinit {
        shutdown()
    }

    /// The frames handed to the device, stamped with when they are heard, for the analysis; `nil` before
    /// `start()`.
    public var analysisTap: AnalysisTap? {
        tapStorage.withLock { $0 }
    }

    /// The format songs are decoded to and played at: the device's negotiated one after `start()`.
    public var format: AudioFormat {
        shared.control.withLock { $0.format }
    }

    /// Opens the device and starts the decoder and output threads. Call once.
    ///
    /// - Throws: `PCMOutputError` when the device cannot be opened or configured (the message names the device
    ///   and what to check).
    public func start() throws(PCMOutputError) {
        try lifecycle.withLock { (threads: inout [pthread_t]) throws(PCMOutputError) in
            guard threads.isEmpty, !shared.control.withLock({ $0.running || $0.shutDown }) else { return }
            try output.open()
            let format = output.format
            let decodeLoop = DecodeLoop(shared: shared, format: format, logger: logger)
            let tap = AnalysisTap(format: format)
            tapStorage.withLock { $0 = tap }
            let outputLoop = OutputLoop(
                output: output, shared: shared, tap: tap, fifo: fifo, pacing: pacing,
                realtimePriority: realtimePriority, logger: logger
            )
            guard let decoderThread = AudioThread.start(name: "rb-decoder", body: { decodeLoop.run() }) else {
                output.close()
                throw .unsupportedConfiguration(device: output.deviceName, detail: "cannot start the decoder thread")
            }
            guard let outputThread = AudioThread.start(name: "rb-output", body: { outputLoop.run() }) else {
                shared.shutdown.store(true, ordering: .releasing)
                shared.decoderWakeup.signal()
                AudioThread.join(decoderThread)
                shared.shutdown.store(false, ordering: .releasing)
                output.close()
                throw .unsupportedConfiguration(device: output.deviceName, detail: "cannot start the output thread")
            }
            threads = [decoderThread, outputThread]
            let device = output.deviceName
            shared.control.withLock { state in
                state.format = format
                state.device = device
                state.running = true
            }
        }
    }

    /// Plays `path` from `seconds` into the song, replacing the current song (which ends with `.stopped`).
    ///
    /// Returns at once; `.started(token)` follows when the first frames reach the device, or `.failed(token, ...)`
    /// when the file cannot be played. Before `start()` or after `shutdown()` the song fails at once.
    ///
    /// `gain` is the song's loudness gain (see `LoudnessGain`), applied on top of the volume; 1 leaves the
    /// samples untouched.
    public func play(path: String, from seconds: Double = 0, token: Int64, gain: Float = 1) {
        shared.control.withLock { state in
            guard state.running else {
                state.emit(.failed(token, reason: "The audio player is not running."))
                return
            }
            state.sync(with: shared)
            if let song = state.current { state.emit(.stopped(song.token)) }
            state.next = nil
            state.following = nil
            let serial = state.nextSerial()
            shared.firstSerial.store(serial, ordering: .releasing)
            shared.firstGainBits.store(Self.clampedGain(gain).bitPattern, ordering: .releasing)
            let generation = state.nextGeneration(shared)
            let start = seconds.isFinite ? max(0, seconds) : 0
            state.current = PlayerControl.Song(
                token: token, generation: generation, serial: serial, path: path, startOffset: start)
            state.paused = false
            shared.paused.store(false, ordering: .releasing)
            state.command = .play(path: path, from: start, token: token, generation: generation)
        }
        shared.decoderWakeup.signal()
        shared.outputWakeup.signal()
    }

    /// Queues `path` to follow the current song without a gap: when the current file ends, the decoder goes
    /// straight on with this one, so not a single silent sample is inserted. Replaces an earlier `playNext`
    /// whose song has not begun decoding; the choice is final about half a second before the current song
    /// ends (the ring's length). `.finished` of the current song and `.started(token)` of this one then
    /// arrive together when its first frame is heard; a file that cannot be opened gives `.failed(token, ...)`
    /// and the current song ends as usual.
    ///
    /// - Returns: false when nothing is playing (use `play` then), or when the decoder already reached the
    ///   end of the current song's file with nothing to follow (too late: play the song when this one ends).
    @discardableResult
    public func playNext(path: String, token: Int64, gain: Float = 1) -> Bool {
        shared.control.withLock { state in
            state.sync(with: shared)
            guard let current = state.current, state.chainClosed != current.generation else { return false }
            state.next = (path, token, Self.clampedGain(gain))
            return true
        }
    }

    /// Songs queued with `playNext` fade in over the last `seconds` of the current one (equal-power
    /// crossfade, done by the decoder thread); 0 (the default) plays them back to back, gaplessly.
    public func setCrossfade(seconds: Double) {
        let frames = seconds.isFinite ? Int(max(0, min(seconds, 30)) * Double(requestedFormat.sampleRate)) : 0
        shared.crossfadeFrames.store(frames, ordering: .relaxed)
    }

    /// Forgets a song queued with `playNext` that has not begun decoding.
    public func cancelNext() {
        shared.control.withLock { $0.next = nil }
    }

    /// Pauses the current song: the device stops within one period and nothing more is written until `resume()`.
    public func pause() {
        setPaused(true)
    }

    /// Continues a paused song where it was paused.
    public func resume() {
        setPaused(false)
    }

    /// Skips the current song (it ends with `.stopped`); the player goes idle.
    public func stop() {
        shared.control.withLock { state in
            state.sync(with: shared)
            state.endCurrent(shared) { .stopped($0) }
        }
        shared.decoderWakeup.signal()
        shared.outputWakeup.signal()
    }

    /// Sets the volume, 0...1 (clamped). The output ramps to it within ~20 ms; at exactly 1 the samples pass
    /// through unchanged.
    public func setVolume(_ volume: Double) {
        shared.volumeBits.store(Self.clampedVolume(volume).bitPattern, ordering: .relaxed)
    }

    /// A snapshot of the player's state. Cheap (a lock and a few atomic loads); safe from any thread.
    public var status: PlayerStatus {
        shared.control.withLock { state in
            state.sync(with: shared)
            var position = 0.0
            var playerState = PlayerState.idle
            if let song = state.current {
                playerState = state.paused ? .paused : .playing
                position = song.startOffset
                let heard = shared.heardSong
                if heard.serial == song.serial {
                    position += state.format.seconds(ofFrames: heard.frames)
                }
            }
            return PlayerStatus(
                state: playerState,
                token: state.current?.token,
                position: position,
                duration: state.current?.duration,
                volume: Double(shared.volume),
                xruns: shared.xruns.load(ordering: .relaxed),
                underruns: shared.underruns.load(ordering: .relaxed)
            )
        }
    }

    /// How many loop passes the decoder and output threads have made: a watchdog that sees one stop
    /// knows that thread is stuck (in a read that never returns, or a device that never takes frames).
    public var progress: (decoder: Int, output: Int) {
        (shared.decoderPasses.load(ordering: .relaxed), shared.outputPasses.load(ordering: .relaxed))
    }

    /// The oldest event not yet returned, or nil. Never blocks.
    public func nextEvent() -> PlayerEvent? {
        shared.control.withLock { state in
            state.sync(with: shared)
            return state.popEvent()
        }
    }

    /// Stops the current song (`.stopped`), ends both threads and closes the device. Idempotent; the player
    /// cannot be started again.
    public func shutdown() {
        lifecycle.withLock { threads in
            shared.control.withLock { state in
                state.sync(with: shared)
                state.endCurrent(shared) { .stopped($0) }
                state.running = false
                state.shutDown = true
            }
            guard !threads.isEmpty else { return }
            shared.shutdown.store(true, ordering: .releasing)
            shared.decoderWakeup.signal()
            shared.outputWakeup.signal()
            for thread in threads { AudioThread.join(thread) }
            threads = []
            output.close()
        }
    }

    private func setPaused(_ paused: Bool) {
        shared.control.withLock { state in
            state.sync(with: shared)
            guard state.current != nil, state.paused != paused else { return }
            state.paused = paused
            shared.paused.store(paused, ordering: .releasing)
        }
        shared.outputWakeup.signal()
    }

    private static func clampedGain(_ gain: Float) -> Float {
        gain.isFinite ? min(max(gain, 0), VolumeRamp.maximumGain) : 1
    }

    private static func clampedVolume(_ volume: Double) -> Float {
        Float(volume.isNaN ? 0 : min(max(volume, 0), 1))
    }
}
