import CALSA
import Logging
import RaveboxMedia

#if canImport(Glibc)
    import Glibc
#endif

/// Plays interleaved S16 frames through an ALSA PCM device (`snd_pcm_*`, blocking read/write access).
///
/// Hardware parameters are negotiated by `ALSANegotiation`, with fallbacks: the sample format must be S16_LE (use `plughw:`/`default`
/// for cards that need conversion); channels and rate take the device's nearest values when it cannot do the
/// requested ones (the player then decodes to `format`); period and buffer sizes are requested near
/// `periodFrames` (≈ 5 ms) × `periods` (4) and the device's choice is kept. The negotiated setup is logged once.
///
/// When the configured device is `default` and the machine has no sound card at all, it falls back to ALSA's
/// `null` device (silent, clockless) with one log line; any other failure to open is a `PCMOutputError`
/// naming the device and what to check.
///
/// ```swift
/// let output = ALSAPlayback(device: "default", logger: logger)
/// try output.open()
/// _ = try output.write(samples, frames: output.periodFrames)
/// ```
///
/// Threading: see `PCMOutput` — one thread at a time; `write`, `delay`, `setPaused` do not allocate or log.
public final class ALSAPlayback: PCMOutput {
    /// The device asked for, e.g. "default", "hw:0,0", "rbtestfile:FILE=/tmp/out.raw".
    public let requestedDevice: String
    /// The device actually open: `requestedDevice`, or "null" after the no-sound-card fallback.
    public private(set) var deviceName: String
    public private(set) var format: AudioFormat
    public private(set) var periodFrames: Int
    public private(set) var bufferFrames: Int
    public private(set) var isClockless = false
    public private(set) var xruns = 0
    /// Whether the device supports `snd_pcm_pause` (and is not clockless, where pausing buys nothing).
    public private(set) var canPause = false

    private let requestedFormat: AudioFormat
    private let requestedPeriodFrames: Int
    private let requestedPeriods: Int
    private let logger: Logger
    private var pcm: OpaquePointer?

    /// - Parameters:
    ///   - device: ALSA PCM name.
    ///   - format: Rate and channels to ask for.
    ///   - periodFrames: Frames per period to ask for; nil means ≈ 5 ms (`format.sampleRate / 200`).
    ///   - periods: Periods per buffer to ask for (buffer ≈ periodFrames × periods; 4 by default, 20 ms).
    ///   - logger: Receives the one line describing the negotiated setup or the fallback.
    public init(
        device: String = "default",
        format: AudioFormat = AudioFormat(),
        periodFrames: Int? = nil,
        periods: Int = 4,
        logger: Logger
    ) {
        requestedDevice = device
        deviceName = device
        requestedFormat = format
        self.format = format
        requestedPeriodFrames = max(16, periodFrames ?? format.sampleRate / 200)
        requestedPeriods = max(2, periods)
        self.periodFrames = requestedPeriodFrames
        self.bufferFrames = requestedPeriodFrames * requestedPeriods
        self.logger = logger
    }

    deinit {
        close()
    }

    public func open() throws(PCMOutputError) {
        close()
        var (handle, result) = ALSANegotiation.open(requestedDevice, SND_PCM_STREAM_PLAYBACK)
        deviceName = requestedDevice
        if result < 0 && requestedDevice == "default" && Self.machineHasNoSoundCard() {
            let defaultResult = result
            (handle, result) = ALSANegotiation.open("null", SND_PCM_STREAM_PLAYBACK)
            if result >= 0 {
                deviceName = "null"
                let reason = ALSANegotiation.message(defaultResult)
                logger.warning(
                    """
                    No sound card found: ALSA device 'default' cannot open (\(reason)); playing to ALSA's silent \
                    'null' device instead. Check `aplay -l` and the card's driver.
                    """
                )
            }
        }
        guard result >= 0, let handle else {
            throw .openFailed(device: requestedDevice, code: result, message: ALSANegotiation.message(result))
        }
        pcm = handle
        do throws(PCMOutputError) {
            try configure(handle)
        } catch {
            close()
            throw error
        }
    }

    public func write(_ samples: UnsafePointer<Int16>, frames: Int) throws(PCMOutputError) -> Int {
        guard let pcm else { throw .notOpen(device: deviceName) }
        let channels = format.channels
        var done = 0
        while done < frames {
            let result = snd_pcm_writei(pcm, samples + done * channels, snd_pcm_uframes_t(frames - done))
            if result >= 0 {
                done += Int(result)
                continue
            }
            let code = Int32(truncatingIfNeeded: result)
            if code == -EAGAIN { continue }
            if code == -EPIPE || code == -ESTRPIPE { xruns += 1 }
            if code == -EBADFD {
                // Stopped by drop()/drain() or left paused: make it writable again.
                let state = snd_pcm_state(pcm)
                let repaired = state == SND_PCM_STATE_PAUSED ? snd_pcm_pause(pcm, 0) : snd_pcm_prepare(pcm)
                if repaired < 0 {
                    throw .writeFailed(device: deviceName, code: code, message: ALSANegotiation.message(code))
                }
                continue
            }
            let recovered = snd_pcm_recover(pcm, code, 1)
            if recovered < 0 {
                throw .writeFailed(device: deviceName, code: code, message: ALSANegotiation.message(code))
            }
        }
        return done
    }

    public func delay() -> Int {
        guard let pcm else { return 0 }
        var frames: snd_pcm_sframes_t = 0
        guard snd_pcm_delay(pcm, &frames) >= 0 else { return 0 }
        return max(0, Int(frames))
    }

    public func drop() {
        guard let pcm else { return }
        snd_pcm_drop(pcm)
    }

    public func prepare() throws(PCMOutputError) {
        guard let pcm else { throw .notOpen(device: deviceName) }
        let result = snd_pcm_prepare(pcm)
        if result < 0 { throw .writeFailed(device: deviceName, code: result, message: ALSANegotiation.message(result)) }
    }

    public func drain() {
        guard let pcm else { return }
        snd_pcm_drain(pcm)
    }

    public func setPaused(_ paused: Bool) -> Bool {
        guard let pcm, canPause else { return false }
        let state = snd_pcm_state(pcm)
        if paused {
            if state == SND_PCM_STATE_RUNNING { return snd_pcm_pause(pcm, 1) >= 0 }
            return state == SND_PCM_STATE_PREPARED || state == SND_PCM_STATE_PAUSED
        }
        if state == SND_PCM_STATE_PAUSED { return snd_pcm_pause(pcm, 0) >= 0 }
        return true
    }

    public func close() {
        guard let pcm else { return }
        snd_pcm_close(pcm)
        self.pcm = nil
    }

    // MARK: Negotiation

    private func configure(_ pcm: OpaquePointer) throws(PCMOutputError) {
        let request = ALSANegotiation.Request(
            channels: requestedFormat.channels, sampleRate: requestedFormat.sampleRate,
            periodFrames: requestedPeriodFrames, periods: requestedPeriods, fallbackBufferFrames: bufferFrames,
            startsWhenBufferFull: true)
        let negotiated: ALSANegotiation
        do throws(ALSANegotiation.Refusal) {
            negotiated = try ALSANegotiation(pcm, request)
        } catch {
            throw .unsupportedConfiguration(device: deviceName, detail: error.detail)
        }
        format = AudioFormat(sampleRate: negotiated.sampleRate, channels: negotiated.channels)
        (periodFrames, bufferFrames) = (negotiated.periodFrames, negotiated.bufferFrames)
        isClockless = ALSANegotiation.isClockless(pcm)
        canPause = negotiated.canPause && !isClockless

        var line = "Audio device '\(deviceName)' open: \(format), \(negotiated.latencyDescription)"
        if format != requestedFormat { line += "; asked for \(requestedFormat), the device offered this instead" }
        if isClockless { line += "; the device has no clock (writes are paced by the player)" }
        logger.info("\(line)")
    }

    /// True when ALSA sees no sound card at all (`snd_card_next` finds none).
    private static func machineHasNoSoundCard() -> Bool {
        var card: Int32 = -1
        return snd_card_next(&card) < 0 || card < 0
    }
}
