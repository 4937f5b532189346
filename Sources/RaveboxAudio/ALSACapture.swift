import Atomics
import CALSA
import Logging
import RaveboxMedia
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Listens to an ALSA capture device (line-in, USB sound card) so the lights follow music that comes from
/// elsewhere (`audio_source: capture`): a dedicated thread reads one period at a time and pushes it into `tap`,
/// stamped with when it was heard, exactly like the player's output thread does with what it plays.
///
/// Hardware parameters are negotiated by `ALSANegotiation`, as for `ALSAPlayback`: S16_LE, interleaved, at
/// `format.sampleRate` (a device that cannot record at that rate is refused: `plughw:`/`default` resample in
/// ALSA); channels are
/// `format.channels` when the device offers them, otherwise the nearest count, mapped onto the tap's channels
/// (a mono device is copied to both sides, extra channels are ignored); period ≈ 5 ms and buffer ≈ 4 periods,
/// keeping the device's choice. The negotiated setup is logged once.
///
/// While running, overruns (the thread fell behind and the device overwrote frames) are recovered and counted
/// in `overruns`. A device that fails (unplugged, or silent for 2 s) is reported in one log line, then reopened
/// every 2 s until it works again or `stop()` is called.
///
/// ```swift
/// let capture = ALSACapture(device: "plughw:1", logger: logger)
/// try capture.start()                        // throws CaptureError naming the device
/// let frames = capture.tap.read(into: window)  // the analysis thread reads what the room hears
/// capture.stop()
/// ```
///
/// Threading: `start()` and `stop()` may be called from any thread (they are serialised). The capture thread's
/// steady state follows the realtime rules of `OutputLoop`: it blocks only in ALSA (or in the pacer's sleep on
/// clockless devices) and neither allocates, locks nor logs. It runs at normal priority: a late capture thread
/// costs an overrun (a gap in what the lights see), never a click in what people hear.
public final class ALSACapture: Sendable {
    /// The ALSA PCM recorded from, e.g. "default", "hw:1,0", "plughw:1", "rbtestmic:INFILE=/tmp/in.raw".
    public let device: String
    /// Where every captured period goes, in the `format` given to `init` (channels are mapped before the push).
    public let tap: AnalysisTap
    /// Overruns (`-EPIPE`: the device's buffer filled before the thread read it) recovered since `init`.
    public var overruns: Int { overrunCount.load(ordering: .relaxed) }

    private let settings: CaptureSettings
    private let overrunCount = ManagedAtomic<Int>(0)
    private let logger: Logger
    /// The thread and its state while running; the mutex also serialises `start()` and `stop()`.
    private let running = Mutex<Running?>(nil)

    private struct Running {
        let thread: pthread_t
        let loop: CaptureLoop
    }

    /// - Parameters:
    ///   - device: ALSA PCM name to record from.
    ///   - format: Rate and channels the analysis wants (the tap's format); 48 kHz stereo by default.
    ///   - periodFrames: Frames per read to ask for; nil means ≈ 5 ms (`format.sampleRate / 200`).
    ///   - pacing: `.auto` keeps reads from clockless devices (ALSA `null`, the `file` plugin in tests) in real
    ///     time; `.off` reads them as fast as possible.
    ///   - logger: Receives the negotiated setup, failures and recoveries.
    public init(
        device: String, format: AudioFormat = AudioFormat(), periodFrames: Int? = nil, pacing: Pacing = .auto,
        logger: Logger
    ) {
        self.device = device
        settings = CaptureSettings(
            device: device, format: format, periodFrames: max(16, periodFrames ?? format.sampleRate / 200),
            pacing: pacing
        )
        tap = AnalysisTap(format: format)
        self.logger = logger
    }

    deinit {
        stop()
    }

    /// Opens and configures the device, then starts the capture thread. Does nothing when already running.
    public func start() throws(CaptureError) {
        try running.withLock { (running: inout Running?) throws(CaptureError) in
            guard running == nil else { return }
            let stream = try CaptureStream(settings)
            logger.info("\(stream.setup)")
            let loop = CaptureLoop(
                stream: stream, settings: settings, tap: tap, overruns: overrunCount, logger: logger)
            guard let thread = AudioThread.start(name: "rb-capture", body: { loop.run() }) else {
                stream.close()
                throw .threadFailed(device: device)
            }
            running = Running(thread: thread, loop: loop)
        }
    }

    /// Stops the capture thread and closes the device; returns once the thread has ended (within about one
    /// period, at most 100 ms). Safe to call more than once, and before `start()`.
    public func stop() {
        running.withLock { (running: inout Running?) in
            guard let current = running else { return }
            current.loop.requestStop()
            AudioThread.join(current.thread)
            running = nil
        }
    }

    /// Copies `frames` interleaved frames of `sourceChannels` channels into `destinationChannels` channels:
    /// channel `i` takes the source's channel `i`, or its last one when it has fewer (mono is copied to every
    /// channel); source channels beyond `destinationChannels` are dropped. Allocation-free.
    static func mapChannels(
        _ source: UnsafePointer<Int16>, channels sourceChannels: Int,
        into destination: UnsafeMutablePointer<Int16>, channels destinationChannels: Int, frames: Int
    ) {
        for frame in 0..<frames {
            let from = source + frame * sourceChannels
            let to = destination + frame * destinationChannels
            for channel in 0..<destinationChannels {
                to[channel] = from[min(channel, sourceChannels - 1)]
            }
        }
    }
}

/// Why capturing failed. Each case names the device and what to check.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `snd_pcm_open` failed.
    case openFailed(device: String, code: Int32, message: String)
    /// The device refused every configuration the analysis can use (format, rate, channels, buffer).
    case unsupportedConfiguration(device: String, detail: String)
    /// Reading failed in a way `snd_pcm_recover` could not repair (device unplugged, ...).
    case readFailed(device: String, code: Int32, message: String)
    /// The device stopped delivering frames without reporting an error.
    case stalled(device: String, seconds: Int)
    /// The system refused to create the capture thread.
    case threadFailed(device: String)

    public var description: String {
        switch self {
        case .openFailed(let device, let code, let message):
            "cannot open capture device '\(device)': \(message) (\(code)); check that the sound card or USB "
                + "interface is connected and listed by `arecord -l`, that the capture device name in the settings "
                + "is right (e.g. default, hw:1,0, plughw:1), that no other program records from it and that "
                + "the engine's user is in the 'audio' group"
        case .unsupportedConfiguration(let device, let detail):
            "capture device '\(device)' cannot be configured: \(detail); use 'plughw:...' or 'default', which "
                + "convert formats and rates in ALSA"
        case .readFailed(let device, let code, let message):
            "reading from capture device '\(device)' failed: \(message) (\(code)); was the device unplugged? "
                + "Check `arecord -l`"
        case .stalled(let device, let seconds):
            "capture device '\(device)' delivered nothing for \(seconds) s; was the device unplugged or its "
                + "clock source lost? Check `arecord -l`"
        case .threadFailed(let device):
            "cannot start capturing from '\(device)': the system refused to create a thread"
        }
    }
}

/// What `ALSACapture` was asked for; everything a (re)open needs.
struct CaptureSettings: Sendable {
    let device: String
    /// The tap's format: the rate the device must record at and the channels pushed.
    let format: AudioFormat
    let periodFrames: Int
    let pacing: Pacing
    /// Periods per device buffer. A capture buffer adds no latency (reads return as soon as one period is in),
    /// so more periods would only buy headroom against overruns; 4 (≈ 20 ms) matches playback.
    let periods = 4
}

/// The capture thread: reads periods from the stream into the tap; on failure, reopens every 2 s.
///
/// Steady state (one iteration per period): the pacer's sleep on clockless devices, `snd_pcm_wait` +
/// `snd_pcm_readi` + `snd_pcm_delay` into the stream's preallocated buffers, the channel mapping and
/// `AnalysisTap.push` (lock- and allocation-free). Logging and allocation happen only when the device fails,
/// when it is reopened and when it works again.
private final class CaptureLoop: @unchecked Sendable {
    // @unchecked Sendable: every `var` is used only by the capture thread, which `ALSACapture.start()` hands this
    // object to through pthread_create after opening `stream`. Other threads call only `requestStop()`, which
    // touches the atomic `stopping` and the thread-safe `wakeup`; `ALSACapture.stop()` then joins the thread.

    private let settings: CaptureSettings
    private let tap: AnalysisTap
    private let overruns: ManagedAtomic<Int>
    private let logger: Logger
    private let stopping = ManagedAtomic<Bool>(false)
    private let wakeup = Wakeup()

    private var stream: CaptureStream?
    private var pacer: Pacer
    /// A failure was logged and the device has not delivered since.
    private var failing = false

    /// Seconds between attempts to reopen a failed device.
    private static let retrySeconds: Int64 = 2

    init(
        stream: CaptureStream, settings: CaptureSettings, tap: AnalysisTap, overruns: ManagedAtomic<Int>,
        logger: Logger
    ) {
        self.stream = stream
        self.settings = settings
        self.tap = tap
        self.overruns = overruns
        self.logger = logger
        pacer = Self.pacer(for: stream, settings)
    }

    /// The thread's body; returns after `requestStop()`, with the device closed.
    func run() {
        while !stopping.load(ordering: .acquiring) {
            if let stream {
                capture(from: stream)
            } else {
                reopen()
            }
        }
        stream?.close()
        stream = nil
    }

    /// Asks the thread to end: it notices within one period (at most `CaptureStream.waitMilliseconds`).
    func requestStop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
    }

    private func capture(from stream: CaptureStream) {
        // With a limit of one frame, the pacer lets a read through once its last frame has been "captured".
        pacer.waitBeforeWriting(frames: stream.periodFrames)
        let frames: Int
        do throws(CaptureError) {
            frames = try stream.readPeriod(overruns: overruns)
        } catch {
            deviceFailed(error)
            return
        }
        guard frames > 0 else { return }
        pacer.didWrite(frames: frames)
        if failing { worksAgain(stream) }
        tap.push(stream.output, frames: frames, delayFrames: -heardAgo(stream))
    }

    /// How many frames ago the last frame read was heard. A paced clockless device "captured" it just now (the
    /// pacer slept until then); an unpaced one has no timeline at all.
    private func heardAgo(_ stream: CaptureStream) -> Int {
        if pacer.engaged || stream.isClockless { return 0 }
        return stream.delay()
    }

    private func deviceFailed(_ error: CaptureError) {
        if !failing {
            failing = true
            logger.error("Audio capture failed: \(error); reopening it every \(Self.retrySeconds) s")
        }
        stream?.close()
        stream = nil
    }

    private func reopen() {
        wakeup.wait(nanoseconds: Self.retrySeconds * 1_000_000_000)
        guard !stopping.load(ordering: .acquiring) else { return }
        // Still failing: said so already. The device counts as back only once it delivers.
        guard let reopened = try? CaptureStream(settings) else { return }
        stream = reopened
        pacer = Self.pacer(for: reopened, settings)
    }

    private func worksAgain(_ stream: CaptureStream) {
        failing = false
        logger.notice("Audio capture works again. \(stream.setup)")
    }

    /// Paces reads to real time: the reader may not run ahead of the (virtual) capture clock by more than one
    /// frame, so a read completes when its last frame would have been captured.
    private static func pacer(for stream: CaptureStream, _ settings: CaptureSettings) -> Pacer {
        Pacer(pacing: settings.pacing, clockless: stream.isClockless, sampleRate: stream.sampleRate, aheadLimit: 1)
    }
}
