import Atomics
import RaveboxMedia

/// The frames people hear, for the analysis (FFT, bands, beats) that drives the lights: the output thread
/// (or the capture thread in capture mode) copies every period it hands to ALSA into this ring, and stamps
/// when its last frame will be heard (`CLOCK_MONOTONIC` now + the device's delay). The analysis reads the
/// newest frames and knows when each one sounds, so lights can match the sound instead of running ahead
/// of it by the device's buffer.
///
/// Single producer (the audio thread), single consumer (the analysis thread); lock-free and
/// allocation-free on both sides. When the consumer falls behind, the newest frames that do not fit are
/// dropped (`droppedFrames`); a consumer that wants the present skips ahead with `skip(keepingFrames:)`.
///
/// ```swift
/// let tap = AnalysisTap(format: player.format)          // handed to Player(..., tap: tap)
/// let window = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 2048 * 2)
/// tap.skip(keepingFrames: 2048)                          // stay current
/// let frames = tap.read(into: window)                    // oldest first
/// let heardAt = tap.heardNanos(ofFrame: tap.framesRead - 1)   // when the last one sounds
/// ```
public final class AnalysisTap: Sendable {
    public let format: AudioFormat
    private let ring: PCMRing
    /// Seqlock over the stamp: odd while the producer writes it.
    private let stampSequence = ManagedAtomic<UInt64>(0)
    private let stampFrame = ManagedAtomic<Int>(0)
    private let stampNanos = ManagedAtomic<UInt64>(0)
    private let stampDelay = ManagedAtomic<Int64>(0)
    private let consumed = ManagedAtomic<Int>(0)
    private let dropped = ManagedAtomic<Int>(0)

    /// - Parameter seconds: How much audio the ring holds (at least).
    public init(format: AudioFormat, seconds: Double = 1) {
        self.format = format
        ring = PCMRing(minimumCapacity: Int(Double(format.sampleRate * format.channels) * max(0.05, seconds)))
    }

    // MARK: Producer (the audio thread)

    /// Appends `frames` interleaved frames of what goes to the device, the last of them heard
    /// `delayFrames` frames from now (negative: that long ago, for a capture device). Never blocks or
    /// allocates; drops what does not fit.
    public func push(_ samples: UnsafePointer<Int16>, frames: Int, delayFrames: Int) {
        let count = frames * format.channels
        let written = ring.write(UnsafeBufferPointer(start: samples, count: count))
        if written < count { dropped.wrappingIncrement(by: (count - written) / format.channels, ordering: .relaxed) }
        let now = Pacer.now()
        let delay = Int64(delayFrames) * 1_000_000_000 / Int64(format.sampleRate)
        let sequence = stampSequence.load(ordering: .relaxed)
        stampSequence.store(sequence &+ 1, ordering: .releasing)
        stampFrame.store(ring.writePosition / format.channels, ordering: .relaxed)
        stampNanos.store(UInt64(bitPattern: max(0, now &+ delay)), ordering: .relaxed)
        stampDelay.store(delay, ordering: .relaxed)
        stampSequence.store(sequence &+ 2, ordering: .releasing)
    }

    // MARK: Consumer (the analysis thread)

    /// Frames waiting to be read.
    public var availableFrames: Int { ring.readableCount / format.channels }

    /// Frames read or skipped so far: the index of the next frame `read` returns.
    public var framesRead: Int { ring.readPosition / format.channels }

    /// Frames the producer had to drop because the consumer fell behind.
    public var droppedFrames: Int { dropped.load(ordering: .relaxed) }

    /// Copies up to `destination.count / channels` whole frames, oldest first; returns the frame count.
    @discardableResult
    public func read(into destination: UnsafeMutableBufferPointer<Int16>) -> Int {
        let whole = min(destination.count, ring.readableCount) / format.channels * format.channels
        guard whole > 0, let base = destination.baseAddress else { return 0 }
        return ring.read(into: UnsafeMutableBufferPointer(start: base, count: whole)) / format.channels
    }

    /// Drops all but the newest `keepingFrames` frames, so the next `read` is current.
    public func skip(keepingFrames: Int) {
        let excess = availableFrames - max(0, keepingFrames)
        guard excess > 0 else { return }
        ring.discard(samples: excess * format.channels)
    }

    /// How long after entering this ring the frames of the latest push are heard (the device's delay), in
    /// nanoseconds; negative for a capture device (heard before they arrived). 0 before the first push.
    public var delayNanos: Int64 { stampDelay.load(ordering: .relaxed) }

    /// When frame `index` (counted from the start, like `framesRead`) is heard, in `CLOCK_MONOTONIC`
    /// nanoseconds; `nil` before the first push.
    public func heardNanos(ofFrame index: Int) -> UInt64? {
        while true {
            let before = stampSequence.load(ordering: .acquiring)
            if before == 0 { return nil }
            if before & 1 == 1 { continue }
            let frame = stampFrame.load(ordering: .relaxed)
            let nanos = stampNanos.load(ordering: .relaxed)
            if stampSequence.load(ordering: .acquiring) != before { continue }
            // The stamp is for the frame before `frame` (the last one pushed).
            let framesAfter = Int64(frame - 1 - index)
            let offset = framesAfter * 1_000_000_000 / Int64(format.sampleRate)
            return UInt64(max(0, Int64(bitPattern: nanos) - offset))
        }
    }
}
