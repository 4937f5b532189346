#if canImport(Glibc)
    import Glibc
#endif

/// Whether the player paces writes to devices that have no clock of their own.
public enum Pacing: Sendable, Hashable {
    /// Pace when the device is clockless: known to be (`PCMOutput.isClockless`, e.g. ALSA `null` or the
    /// `file` plugin over `null`), or measured to be (its first writes complete far faster than real time).
    /// Devices with a clock are never paced: their blocking writes are the clock.
    case auto
    /// Never pace: a clockless device consumes a song as fast as it can be decoded (benchmarks, batch tests).
    case off
}

/// Keeps writes to a clockless device in real time, so songs last as long as they should, positions advance
/// at one second per second and the lights stay in step.
///
/// The pacer lets the frames written run at most `aheadLimit` frames (one device buffer) ahead of the wall clock
/// and sleeps with an absolute `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)` deadline otherwise; absolute
/// deadlines do not accumulate drift the way relative sleeps do. A device with its own clock is never paced:
/// its blocking writes already keep time, and an extra sleep would let the wall clock and the device's crystal
/// drift apart until the device starves.
///
/// Threading: owned by the output thread. Allocation-free and lock-free.
struct Pacer {
    /// True while writes are being paced.
    private(set) var engaged: Bool
    private let sampleRate: Int64
    private let aheadLimit: Int64
    /// `.auto` on a device not known to be clockless: time the first writes once to find out.
    private var probing: Bool
    private var probeStart: Int64 = 0
    private var probeFrames: Int64 = 0

    /// Monotonic time (ns) at which frame 0 of the current run is due.
    private var origin: Int64 = 0
    private var anchored = false
    /// Frames written since `origin`.
    private var written: Int64 = 0
    private var pausedAt: Int64?

    /// - Parameters:
    ///   - pacing: `.off` never engages.
    ///   - clockless: The device says it has no clock (engage at once under `.auto`).
    ///   - sampleRate: Frames per second of the stream.
    ///   - aheadLimit: Frames the writer may be ahead of real time (the device buffer).
    init(pacing: Pacing, clockless: Bool, sampleRate: Int, aheadLimit: Int) {
        self.sampleRate = Int64(sampleRate)
        self.aheadLimit = Int64(max(1, aheadLimit))
        engaged = pacing == .auto && clockless
        probing = pacing == .auto && !clockless
    }

    /// Starts a new run (new song, or after the stream was dropped): the next write is due now.
    mutating func restart() {
        anchored = false
        written = 0
        pausedAt = nil
        probeFrames = 0
    }

    /// Sleeps until writing `frames` more keeps the stream within `aheadLimit` of real time. No-op unless engaged.
    mutating func waitBeforeWriting(frames: Int) {
        if probing && probeFrames == 0 { probeStart = Self.now() }
        guard engaged else { return }
        if !anchored {
            origin = Self.now()
            anchored = true
        }
        let due = written + Int64(frames) - aheadLimit
        guard due > 0 else { return }
        Self.sleep(until: origin + due * 1_000_000_000 / sampleRate)
    }

    /// Records that `frames` were written. While probing, decides whether the device keeps time.
    mutating func didWrite(frames: Int) {
        written += Int64(frames)
        guard probing else { return }
        probeFrames += Int64(frames)
        // A real device accepts about one buffer at once and then blocks for the rest: writing three buffers
        // takes at least two buffers of real time. A clockless one takes microseconds.
        guard probeFrames >= 3 * aheadLimit else { return }
        probing = false
        let elapsed = Self.now() - probeStart
        let realTime = (probeFrames - aheadLimit) * 1_000_000_000 / sampleRate
        if elapsed < realTime / 4 {
            engaged = true
            origin = probeStart
            anchored = true
            written = probeFrames
        }
    }

    /// Frames written but not yet due by the wall clock: the "delay" of a paced clockless device. 0 unless
    /// engaged. Frozen while paused.
    func delay() -> Int {
        guard engaged, anchored else { return 0 }
        let now = pausedAt ?? Self.now()
        let due = (now - origin) * sampleRate / 1_000_000_000
        return Int(max(0, min(written - due, written)))
    }

    /// Sleeps until every frame written is due (the paced equivalent of `snd_pcm_drain`).
    func waitUntilPlayed() {
        guard engaged, anchored, pausedAt == nil else { return }
        Self.sleep(until: origin + written * 1_000_000_000 / sampleRate)
    }

    /// Freezes the timeline (the stream is paused).
    mutating func pause() {
        if pausedAt == nil { pausedAt = Self.now() }
    }

    /// Continues the timeline where `pause()` froze it.
    mutating func resume() {
        guard let pausedAt else { return }
        origin += Self.now() - pausedAt
        self.pausedAt = nil
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Sleeps until the monotonic time `deadline` (ns), resuming after signals.
    static func sleep(until deadline: Int64) {
        var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }

    /// Sleeps for `nanoseconds` (relative), for waits that are not part of the paced timeline.
    static func sleep(nanoseconds: Int64) {
        sleep(until: now() + nanoseconds)
    }
}
