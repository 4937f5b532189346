import Atomics
import CALSA
import RaveboxMedia

#if canImport(Glibc)
    import Glibc
#endif

/// One open ALSA capture PCM with its negotiated parameters and preallocated period buffers.
///
/// Threading: created on any thread, then used by one thread at a time; `readPeriod` and `delay` neither
/// allocate, lock nor log.
final class CaptureStream {
    let device: String
    /// What the device agreed to: the tap's rate, its own channel count, period and buffer.
    let negotiated: ALSANegotiation
    /// Channels pushed to the tap.
    let outputChannels: Int
    let isClockless: Bool
    var sampleRate: Int { negotiated.sampleRate }
    var periodFrames: Int { negotiated.periodFrames }
    /// Channels the device records; may differ from `outputChannels`.
    var deviceChannels: Int { negotiated.channels }
    /// The one-line description of the negotiated setup, for the log.
    private(set) var setup = ""
    /// The last period read, in the tap's channel layout.
    var output: UnsafePointer<Int16> { UnsafePointer(mapped ?? samples) }

    /// Longest single wait for a period, so a stop request is noticed promptly even when the device stalls.
    static let waitMilliseconds: Int32 = 100
    /// Waits without a single frame after which the device counts as failed (2 s).
    private static let stalledWaits = 20

    private var pcm: OpaquePointer?
    /// One period as the device delivers it.
    private let samples: UnsafeMutablePointer<Int16>
    /// One period in the tap's layout, when the device's channels differ.
    private let mapped: UnsafeMutablePointer<Int16>?
    /// The stream is prepared but not running (just opened, or recovered from an xrun).
    private var needsStart = true
    private var emptyWaits = 0

    /// Opens `settings.device` and negotiates its hardware and software parameters.
    init(_ settings: CaptureSettings) throws(CaptureError) {
        device = settings.device
        // A blocking open of a `hw:` device that another program records from waits until it is released (in
        // `start()`, or in the reopen loop where `stop()` could not end it): open without blocking, so a busy
        // device fails at once with EBUSY, then make reads blocking.
        let (handle, result) = ALSANegotiation.open(settings.device, SND_PCM_STREAM_CAPTURE, failWhenBusy: true)
        guard let handle else {
            throw .openFailed(device: settings.device, code: result, message: ALSANegotiation.message(result))
        }
        // The tap's rate is fixed (the analysis and the stamps count in it), so "near" must be exact.
        let request = ALSANegotiation.Request(
            channels: settings.format.channels, sampleRate: settings.format.sampleRate, requiresExactRate: true,
            periodFrames: settings.periodFrames, periods: settings.periods)
        do throws(ALSANegotiation.Refusal) {
            negotiated = try ALSANegotiation(handle, request)
        } catch {
            snd_pcm_close(handle)
            throw .unsupportedConfiguration(device: settings.device, detail: error.detail)
        }
        pcm = handle
        outputChannels = settings.format.channels
        isClockless = ALSANegotiation.isClockless(handle)
        let (period, channels) = (negotiated.periodFrames, negotiated.channels)
        samples = .allocate(capacity: period * channels)
        samples.initialize(repeating: 0, count: period * channels)
        if channels != outputChannels {
            mapped = .allocate(capacity: period * outputChannels)
            mapped?.initialize(repeating: 0, count: period * outputChannels)
        } else {
            mapped = nil
        }
        setup = describe(settings)
    }

    deinit {
        close()
        samples.deallocate()
        mapped?.deallocate()
    }

    /// Reads one period into `output`. Returns the frames read: 0 when nothing arrived within
    /// `waitMilliseconds` or after a recovered xrun (overruns are counted in `overruns`).
    func readPeriod(overruns: ManagedAtomic<Int>) throws(CaptureError) -> Int {
        guard let pcm else { throw .readFailed(device: device, code: -EBADFD, message: "not open") }
        if needsStart {
            // Started here rather than at open, so the pacer's probe times the device's first period.
            needsStart = false
            snd_pcm_start(pcm)
        }
        if !isClockless {
            // Blocking in snd_pcm_readi could last up to the kernel's 10 s I/O timeout on a stalled device;
            // waiting in slices keeps `stop()` prompt and notices the stall.
            let ready = snd_pcm_wait(pcm, Self.waitMilliseconds)
            if ready < 0 {
                try recover(pcm, ready, overruns)
                return 0
            }
            if ready == 0 {
                emptyWaits += 1
                if emptyWaits >= Self.stalledWaits {
                    let seconds = Self.stalledWaits * Int(Self.waitMilliseconds) / 1000
                    throw .stalled(device: device, seconds: seconds)
                }
                return 0
            }
        }
        let result = snd_pcm_readi(pcm, samples, snd_pcm_uframes_t(periodFrames))
        if result < 0 {
            try recover(pcm, Int32(truncatingIfNeeded: result), overruns)
            return 0
        }
        emptyWaits = 0
        let frames = Int(result)
        if let mapped {
            ALSACapture.mapChannels(
                samples, channels: deviceChannels, into: mapped, channels: outputChannels, frames: frames)
        }
        return frames
    }

    /// Frames captured but not read yet (`snd_pcm_delay` of a capture stream): the last frame read was heard
    /// that long ago. 0 when unknown.
    func delay() -> Int {
        guard let pcm else { return 0 }
        var frames: snd_pcm_sframes_t = 0
        guard snd_pcm_delay(pcm, &frames) >= 0 else { return 0 }
        return max(0, Int(frames))
    }

    /// Closes the device. Safe to call more than once.
    func close() {
        guard let pcm else { return }
        snd_pcm_close(pcm)
        self.pcm = nil
    }

    /// Repairs an xrun (`-EPIPE`, counted), a suspend (`-ESTRPIPE`) or a stopped stream (`-EBADFD`); anything
    /// else, or a failed repair, is a read failure.
    private func recover(_ pcm: OpaquePointer, _ code: Int32, _ overruns: ManagedAtomic<Int>) throws(CaptureError) {
        if code == -EAGAIN || code == -EINTR { return }
        if code == -EPIPE { overruns.wrappingIncrement(ordering: .relaxed) }
        let repaired = code == -EBADFD ? snd_pcm_prepare(pcm) : snd_pcm_recover(pcm, code, 1)
        if repaired < 0 {
            throw .readFailed(device: device, code: code, message: ALSANegotiation.message(code))
        }
        needsStart = true
    }

    private func describe(_ settings: CaptureSettings) -> String {
        var line =
            "Capture device '\(device)' open: \(AudioFormat(sampleRate: sampleRate, channels: deviceChannels)), "
            + negotiated.latencyDescription
        if deviceChannels == 1 && outputChannels > 1 {
            line += "; mono, copied to all \(outputChannels) channels"
        } else if deviceChannels != outputChannels {
            line += "; asked for \(outputChannels) channels, the device offered \(deviceChannels) (mapped)"
        }
        if isClockless {
            line +=
                settings.pacing == .auto
                ? "; the device has no clock (reads are paced to real time)"
                : "; the device has no clock (reads are not paced)"
        }
        return line
    }
}
