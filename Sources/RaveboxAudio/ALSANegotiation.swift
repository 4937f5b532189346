import CALSA

#if canImport(Glibc)
    import Glibc
#endif

/// What one ALSA PCM agreed to, and how playback and capture ask for it: the shared half of `ALSAPlayback` and
/// `ALSACapture`.
///
/// Hardware parameters: any configuration, interleaved read/write access, S16_LE samples, the channel count asked
/// for or the nearest one the device has, the rate asked for or the nearest (or exactly that rate, for capture),
/// and a period near `periodFrames` in a buffer of `periods` periods; a device that insists on its own period or
/// buffer size keeps it. Software parameters: the reader or writer wakes when a period is free, and playback
/// starts only once its buffer is full. Each refusal is a ``Refusal`` whose `detail` says, in words, what the
/// device would not do; each direction wraps it in its own error naming the device.
///
/// ```swift
/// let request = ALSANegotiation.Request(channels: 2, sampleRate: 48_000, periodFrames: 240, periods: 4)
/// let negotiated = try ALSANegotiation(pcm, request)  // throws ALSANegotiation.Refusal
/// print(negotiated.periodFrames, negotiated.bufferFrames)
/// ```
struct ALSANegotiation {
    /// What to ask the device for.
    struct Request {
        var channels: Int
        /// Frames per second.
        var sampleRate: Int
        /// Refuse a device that cannot do `sampleRate` itself instead of taking its nearest rate.
        var requiresExactRate = false
        var periodFrames: Int
        var periods: Int
        /// Buffer size to ask for when the device refuses the period size; `periodFrames × periods` by default.
        var fallbackBufferFrames: Int? = nil
        /// Start the stream only once the buffer is full (playback: no underrun at the first period).
        var startsWhenBufferFull = false
    }

    /// Frames per second the device runs at.
    let sampleRate: Int
    let channels: Int
    /// Frames per period, at least 1.
    let periodFrames: Int
    /// Frames in the device's buffer, at least one period.
    let bufferFrames: Int
    /// Whether the device supports `snd_pcm_pause`.
    let canPause: Bool

    /// Sets the hardware and then the software parameters of the open `pcm`.
    init(_ pcm: OpaquePointer, _ request: Request) throws(Refusal) {
        var hardware: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hardware) >= 0, let hw = hardware else {
            throw Refusal(detail: "out of memory")
        }
        defer { snd_pcm_hw_params_free(hw) }
        try Self.check(snd_pcm_hw_params_any(pcm, hw), "no hardware configuration available")
        try Self.check(
            snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED),
            "interleaved read/write access is not supported")
        try Self.check(
            snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE),
            "signed 16-bit little-endian samples (S16_LE) are not supported")
        var channels = UInt32(request.channels)
        if snd_pcm_hw_params_set_channels(pcm, hw, channels) < 0 {
            try Self.check(snd_pcm_hw_params_set_channels_near(pcm, hw, &channels), "no usable channel count")
        }
        var rate = UInt32(request.sampleRate)
        var direction: Int32 = 0
        try Self.check(snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, &direction), "no usable sample rate")
        if request.requiresExactRate && Int(rate) != request.sampleRate {
            throw Refusal(detail: "it records at \(rate) Hz, not the \(request.sampleRate) Hz needed")
        }
        Self.requestLatency(pcm, hw, request)
        try Self.check(snd_pcm_hw_params(pcm, hw), "the device refused the negotiated parameters")

        var period: snd_pcm_uframes_t = 0
        var buffer: snd_pcm_uframes_t = 0
        direction = 0
        snd_pcm_hw_params_get_period_size(hw, &period, &direction)
        snd_pcm_hw_params_get_buffer_size(hw, &buffer)
        direction = 0
        snd_pcm_hw_params_get_rate(hw, &rate, &direction)
        snd_pcm_hw_params_get_channels(hw, &channels)
        sampleRate = Int(rate)
        self.channels = Int(channels)
        periodFrames = max(1, Int(period))
        bufferFrames = max(periodFrames, Int(buffer))
        canPause = snd_pcm_hw_params_can_pause(hw) == 1
        try configureSoftware(pcm, startsWhenBufferFull: request.startsWhenBufferFull)
    }

    /// Why the device refused, e.g. "no usable sample rate (Invalid argument)".
    struct Refusal: Error {
        let detail: String
    }

    /// Asks for a period near `periodFrames` and a buffer of `periods` periods (`fallbackBufferFrames` when the
    /// period was refused); a device that insists on its own buffer size keeps it.
    private static func requestLatency(_ pcm: OpaquePointer, _ hw: OpaquePointer, _ request: Request) {
        var period = snd_pcm_uframes_t(request.periodFrames)
        var direction: Int32 = 0
        let periodResult = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &direction)
        let fallback = request.fallbackBufferFrames ?? request.periodFrames * request.periods
        var buffer = snd_pcm_uframes_t(periodResult >= 0 ? Int(period) * request.periods : fallback)
        if snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer) < 0 {
            var periodCount = UInt32(request.periods)
            direction = 0
            _ = snd_pcm_hw_params_set_periods_near(pcm, hw, &periodCount, &direction)
        }
    }

    /// Wakes the reader or writer whenever a whole period is in or free; with `startsWhenBufferFull`, the stream
    /// starts once the buffer is full.
    private func configureSoftware(_ pcm: OpaquePointer, startsWhenBufferFull: Bool) throws(Refusal) {
        var software: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&software) >= 0, let sw = software else {
            throw Refusal(detail: "out of memory")
        }
        defer { snd_pcm_sw_params_free(sw) }
        try Self.check(snd_pcm_sw_params_current(pcm, sw), "cannot read software parameters")
        if startsWhenBufferFull {
            try Self.check(
                snd_pcm_sw_params_set_start_threshold(pcm, sw, snd_pcm_uframes_t(bufferFrames)),
                "cannot set the start threshold")
        }
        try Self.check(
            snd_pcm_sw_params_set_avail_min(pcm, sw, snd_pcm_uframes_t(periodFrames)), "cannot set the wake-up size")
        try Self.check(snd_pcm_sw_params(pcm, sw), "the device refused the software parameters")
    }

    private static func check(_ result: Int32, _ what: String) throws(Refusal) {
        if result < 0 { throw Refusal(detail: "\(what) (\(message(result)))") }
    }

    /// "period 240 frames (5.0 ms), buffer 960 frames (20.0 ms)", for the one log line describing the setup.
    var latencyDescription: String {
        "period \(periodFrames) frames (\(Self.milliseconds(periodFrames, sampleRate: sampleRate)) ms), "
            + "buffer \(bufferFrames) frames (\(Self.milliseconds(bufferFrames, sampleRate: sampleRate)) ms)"
    }

    /// `frames` at `sampleRate` in milliseconds with one decimal, e.g. "5.0".
    static func milliseconds(_ frames: Int, sampleRate: Int) -> String {
        let tenths = (frames * 10_000 + sampleRate / 2) / sampleRate
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Opens `device` for `stream` with ALSA's own error printing silenced. With `failWhenBusy`, a device another
    /// program holds fails at once with EBUSY instead of blocking the open until it is released; the PCM is
    /// blocking either way. Returns the PCM, or nil and the negative error code.
    static func open(
        _ device: String, _ stream: snd_pcm_stream_t, failWhenBusy: Bool = false
    ) -> (pcm: OpaquePointer?, result: Int32) {
        rb_alsa_silence_errors()
        var handle: OpaquePointer?
        var result = snd_pcm_open(&handle, device, stream, failWhenBusy ? SND_PCM_NONBLOCK : 0)
        guard result >= 0, let pcm = handle else { return (nil, result) }
        if failWhenBusy {
            result = snd_pcm_nonblock(pcm, 0)
            if result < 0 {
                snd_pcm_close(pcm)
                return (nil, result)
            }
        }
        return (pcm, result)
    }

    /// ALSA's words for the negative error `code`.
    static func message(_ code: Int32) -> String {
        String(cString: snd_strerror(code))
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
}
