import RaveboxMedia

/// A PCM playback stream: where the player's output thread sends interleaved S16 frames.
///
/// `ALSAPlayback` is the real implementation (`snd_pcm_*`). The life cycle is
/// `open()` → (`write` … `delay` …)* → `drop()`/`prepare()` or `drain()` → … → `close()`.
///
/// Threading: `open()` may run on any thread; after that every call comes from one thread at a time (the
/// player hands the stream to its output thread and touches it from nowhere else). Implementations must make
/// `write`, `delay` and `setPaused` free of allocation, locks and logging: they run in the realtime loop.
public protocol PCMOutput: AnyObject {
    /// The device name, for log lines and errors (e.g. "default", "hw:0,0", "null").
    var deviceName: String { get }
    /// The format the device accepted. Valid after `open()`; may differ from the one asked for in rate or
    /// channels when the device cannot do it (the player then decodes to this format).
    var format: AudioFormat { get }
    /// Frames per period (the device wakes the writer once per period). Valid after `open()`.
    var periodFrames: Int { get }
    /// Frames the device buffers in total (latency ≈ bufferFrames / rate). Valid after `open()`.
    var bufferFrames: Int { get }
    /// True when the device has no clock of its own: writes return at once (ALSA's `null`, the `file` plugin
    /// over `null`). Such a stream must be paced by the writer to play in real time.
    var isClockless: Bool { get }
    /// Under-/overruns the stream recovered from since it was opened.
    var xruns: Int { get }

    /// Opens and configures the device.
    func open() throws(PCMOutputError)
    /// Writes `frames` interleaved frames from `samples`, blocking until the device took them all (that is the
    /// clock of a real device). Recovers from xruns by itself (counting them in `xruns`).
    /// - Returns: Frames written (all of them unless the stream failed).
    func write(_ samples: UnsafePointer<Int16>, frames: Int) throws(PCMOutputError) -> Int
    /// Frames written but not yet heard (`snd_pcm_delay`); 0 when unknown or stopped.
    func delay() -> Int
    /// Stops at once, discarding what the device still buffers; `prepare()` before writing again.
    func drop()
    /// Makes a stopped stream ready for `write` again.
    func prepare() throws(PCMOutputError)
    /// Blocks until everything written has been played, then stops; `prepare()` before writing again.
    func drain()
    /// Pauses (`true`) or resumes (`false`) in place, keeping buffered frames. Returns false when the device
    /// cannot pause; the caller then uses `drop()` and loses the ≤ `bufferFrames` frames it held.
    func setPaused(_ paused: Bool) -> Bool
    /// Closes the device. Safe to call more than once.
    func close()
}

/// Why the audio device could not be used. Each case names the device and what to check.
public enum PCMOutputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `snd_pcm_open` failed.
    case openFailed(device: String, code: Int32, message: String)
    /// The device refused every configuration Ravebox can play (format, rate, channels, buffer).
    case unsupportedConfiguration(device: String, detail: String)
    /// Writing failed in a way `snd_pcm_recover` could not repair (device unplugged, ...).
    case writeFailed(device: String, code: Int32, message: String)
    /// A call was made on a stream that is not open.
    case notOpen(device: String)

    public var description: String {
        switch self {
        case .openFailed(let device, let code, let message):
            "cannot open audio device '\(device)': \(message) (\(code)); check that the sound card is connected "
                + "and listed by `aplay -l`, that the device name in the settings is right (e.g. default, "
                + "hw:0,0, plughw:1) and that the engine's user is in the 'audio' group"
        case .unsupportedConfiguration(let device, let detail):
            "audio device '\(device)' cannot be configured: \(detail); use 'plughw:...' or 'default', which "
                + "convert formats and rates in ALSA"
        case .writeFailed(let device, let code, let message):
            "writing to audio device '\(device)' failed: \(message) (\(code)); was the device unplugged?"
        case .notOpen(let device):
            "audio device '\(device)' is not open"
        }
    }
}
