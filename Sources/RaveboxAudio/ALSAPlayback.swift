import CALSA
import Logging
import RaveboxMedia

#if canImport(Glibc)
    import Glibc
#endif

/// Plays interleaved S16 frames through an ALSA PCM device (`snd_pcm_*`, blocking read/write access).
///
/// Hardware parameters are negotiated with fallbacks: the sample format must be S16_LE (use `plughw:`/`default`
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
        rb_alsa_silence_errors()
        var handle: OpaquePointer?
        var result = snd_pcm_open(&handle, requestedDevice, SND_PCM_STREAM_PLAYBACK, 0)
        deviceName = requestedDevice
        if result < 0 && requestedDevice == "default" && Self.machineHasNoSoundCard() {
            let defaultResult = result
            result = snd_pcm_open(&handle, "null", SND_PCM_STREAM_PLAYBACK, 0)
            if result >= 0 {
                deviceName = "null"
                let reason = Self.message(defaultResult)
                logger.warning(
                    """
                    No sound card found: ALSA device 'default' cannot open (\(reason)); playing to ALSA's silent \
                    'null' device instead. Check `aplay -l` and the card's driver.
                    """
                )
            }
        }
        guard result >= 0, let handle else {
            throw .openFailed(device: requestedDevice, code: result, message: Self.message(result))
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
                if repaired < 0 { throw .writeFailed(device: deviceName, code: code, message: Self.message(code)) }
                continue
            }
            let recovered = snd_pcm_recover(pcm, code, 1)
            if recovered < 0 {
                throw .writeFailed(device: deviceName, code: code, message: Self.message(code))
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
        if result < 0 { throw .writeFailed(device: deviceName, code: result, message: Self.message(result)) }
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
        var hardware: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hardware) >= 0, let hw = hardware else {
            throw .unsupportedConfiguration(device: deviceName, detail: "out of memory")
        }
        defer { snd_pcm_hw_params_free(hw) }
        var channels = UInt32(requestedFormat.channels)
        if let problem = ALSAHardware.applyCommon(pcm, hw, channels: &channels) {
            throw .unsupportedConfiguration(device: deviceName, detail: problem)
        }
        var rate = UInt32(requestedFormat.sampleRate)
        var direction: Int32 = 0
        try check(snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, &direction), "no usable sample rate")
        ALSAHardware.requestLatency(
            pcm, hw, periodFrames: requestedPeriodFrames, periods: requestedPeriods,
            fallbackBufferFrames: bufferFrames)
        try check(snd_pcm_hw_params(pcm, hw), "the device refused the negotiated parameters")

        let latency = ALSAHardware.negotiatedLatency(hw)
        direction = 0
        snd_pcm_hw_params_get_rate(hw, &rate, &direction)
        snd_pcm_hw_params_get_channels(hw, &channels)
        format = AudioFormat(sampleRate: Int(rate), channels: Int(channels))
        (periodFrames, bufferFrames) = latency
        isClockless = Self.isClockless(pcm)
        canPause = snd_pcm_hw_params_can_pause(hw) == 1 && !isClockless

        try configureSoftware(pcm)

        var line =
            "Audio device '\(deviceName)' open: \(format), period \(periodFrames) frames "
            + "(\(milliseconds(periodFrames)) ms), buffer \(bufferFrames) frames (\(milliseconds(bufferFrames)) ms)"
        if format != requestedFormat { line += "; asked for \(requestedFormat), the device offered this instead" }
        if isClockless { line += "; the device has no clock (writes are paced by the player)" }
        logger.info("\(line)")
    }

    /// Starts the stream once the buffer is full (no underrun at the first period) and wakes the writer
    /// whenever a period is free.
    private func configureSoftware(_ pcm: OpaquePointer) throws(PCMOutputError) {
        var software: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&software) >= 0, let sw = software else {
            throw .unsupportedConfiguration(device: deviceName, detail: "out of memory")
        }
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(pcm, sw), "cannot read software parameters")
        try check(
            snd_pcm_sw_params_set_start_threshold(pcm, sw, snd_pcm_uframes_t(bufferFrames)),
            "cannot set the start threshold"
        )
        try check(
            snd_pcm_sw_params_set_avail_min(pcm, sw, snd_pcm_uframes_t(periodFrames)),
            "cannot set the wake-up size"
        )
        try check(snd_pcm_sw_params(pcm, sw), "the device refused the software parameters")
    }

    private func check(_ result: Int32, _ what: String) throws(PCMOutputError) {
        if result < 0 {
            throw .unsupportedConfiguration(device: deviceName, detail: "\(what) (\(Self.message(result)))")
        }
    }

    private func milliseconds(_ frames: Int) -> String {
        let tenths = (frames * 10_000 + format.sampleRate / 2) / format.sampleRate
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// A device is clockless when it is ALSA's `null` PCM, or a plugin chain ending in `null` without any
    /// hardware (e.g. the `file` plugin over `null`, as in tests): `snd_pcm_dump` then names a "Null PCM" slave
    /// and no "Hardware PCM".
    static func isClockless(_ pcm: OpaquePointer) -> Bool {
        if snd_pcm_type(pcm) == SND_PCM_TYPE_NULL { return true }
        var output: OpaquePointer?
        guard snd_output_buffer_open(&output) >= 0, let output else { return false }
        defer { snd_output_close(output) }
        guard snd_pcm_dump(pcm, output) >= 0 else { return false }
        var text: UnsafeMutablePointer<CChar>?
        let length = snd_output_buffer_string(output, &text)
        guard let text, length > 0 else { return false }
        let bytes = UnsafeRawBufferPointer(start: text, count: length)
        let dump = String(decoding: bytes, as: UTF8.self)
        return dump.contains("Null PCM") && !dump.contains("Hardware PCM")
    }

    /// True when ALSA sees no sound card at all (`snd_card_next` finds none).
    private static func machineHasNoSoundCard() -> Bool {
        var card: Int32 = -1
        return snd_card_next(&card) < 0 || card < 0
    }

    static func message(_ code: Int32) -> String {
        String(cString: snd_strerror(code))
    }
}

/// The start of hardware negotiation both directions share: any configuration, interleaved access,
/// S16_LE samples, and the channel count asked for or the nearest one the device has.
enum ALSAHardware {
    /// Applies those to `hw`; returns what the device refused, in words, or nil.
    static func applyCommon(_ pcm: OpaquePointer, _ hw: OpaquePointer, channels: inout UInt32) -> String? {
        func problem(_ result: Int32, _ what: String) -> String? {
            result < 0 ? "\(what) (\(ALSAPlayback.message(result)))" : nil
        }
        if let refused = problem(snd_pcm_hw_params_any(pcm, hw), "no hardware configuration available") {
            return refused
        }
        if let refused = problem(
            snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED),
            "interleaved read/write access is not supported")
        {
            return refused
        }
        if let refused = problem(
            snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE),
            "signed 16-bit little-endian samples (S16_LE) are not supported")
        {
            return refused
        }
        if snd_pcm_hw_params_set_channels(pcm, hw, channels) < 0 {
            return problem(snd_pcm_hw_params_set_channels_near(pcm, hw, &channels), "no usable channel count")
        }
        return nil
    }

    /// Asks for a period near `periodFrames` and a buffer of `periods` periods (`fallbackBufferFrames`
    /// when the period was refused); a device that insists on its own buffer size keeps it.
    static func requestLatency(
        _ pcm: OpaquePointer, _ hw: OpaquePointer, periodFrames: Int, periods: Int, fallbackBufferFrames: Int
    ) {
        var period = snd_pcm_uframes_t(periodFrames)
        var direction: Int32 = 0
        let periodResult = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &direction)
        var buffer = snd_pcm_uframes_t(periodResult >= 0 ? Int(period) * periods : fallbackBufferFrames)
        if snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer) < 0 {
            var periodCount = UInt32(periods)
            direction = 0
            _ = snd_pcm_hw_params_set_periods_near(pcm, hw, &periodCount, &direction)
        }
    }

    /// The period and buffer the device took (after `snd_pcm_hw_params`), at least one frame and one period.
    static func negotiatedLatency(_ hw: OpaquePointer) -> (periodFrames: Int, bufferFrames: Int) {
        var period: snd_pcm_uframes_t = 0
        var buffer: snd_pcm_uframes_t = 0
        var direction: Int32 = 0
        snd_pcm_hw_params_get_period_size(hw, &period, &direction)
        snd_pcm_hw_params_get_buffer_size(hw, &buffer)
        let periodFrames = max(1, Int(period))
        return (periodFrames, max(periodFrames, Int(buffer)))
    }
}
