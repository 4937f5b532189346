import Foundation
import RaveboxAudio
import RaveboxMedia

/// A `PCMOutput` that returns from every write at once and only classifies what it is given: periods equal
/// to the expected constant test signal, periods of silence, and anything else.
///
/// `clockless: false` makes it claim a clock it does not have: a device that consumes faster than real time,
/// which is how tests provoke underruns (the ring always runs dry) and exercise the pacer's measurement.
/// Classifying with `memcmp` keeps each write far cheaper than decoding, so the decoder really falls behind
/// even in a debug build.
///
/// Threading: used by the player's output thread; read the counters only after `Player.shutdown()` (which
/// joins that thread).
final class MemoryPCMOutput: PCMOutput {
    let deviceName = "memory"
    let format: AudioFormat
    let periodFrames = 240
    let bufferFrames = 960
    let isClockless: Bool
    let xruns = 0
    private(set) var signalFrames = 0
    private(set) var silentFrames = 0
    private(set) var otherFrames = 0
    private let signal: [Int16]
    private let silence: [Int16]

    /// - Parameters:
    ///   - clockless: What the output claims about its clock.
    ///   - constant: The sample value of the test song (every sample of it).
    init(clockless: Bool, constant: Int16 = 3_000, format: AudioFormat = AudioFormat()) {
        isClockless = clockless
        self.format = format
        signal = [Int16](repeating: constant, count: 240 * format.channels)
        silence = [Int16](repeating: 0, count: 240 * format.channels)
    }

    func open() throws(PCMOutputError) {}

    func write(_ samples: UnsafePointer<Int16>, frames: Int) throws(PCMOutputError) -> Int {
        let bytes = frames * format.channels * 2
        if bytes <= signal.count * 2 && memcmp(samples, signal, bytes) == 0 {
            signalFrames += frames
        } else if bytes <= silence.count * 2 && memcmp(samples, silence, bytes) == 0 {
            silentFrames += frames
        } else {
            otherFrames += frames
        }
        return frames
    }

    func delay() -> Int { 0 }
    func drop() {}
    func prepare() throws(PCMOutputError) {}
    func drain() {}
    func setPaused(_ paused: Bool) -> Bool { false }
    func close() {}
}
