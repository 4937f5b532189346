import Atomics

/// What the player's three parties (API callers, decoder thread, output thread) share without locks.
///
/// **Generations.** Every `play`, `stop`, failure and `shutdown` bumps `generation`. Samples in the ring belong
/// to the generation the decoder was working on; a flush must not let an old song's samples leak into the next.
/// The handshake:
/// 1. the decoder sees the new generation, stops writing old samples and stores `decoderAck = generation`;
/// 2. the output thread waits for that, discards the ring and the device buffer, stores `outputAck`;
/// 3. only then does the decoder write the new song's samples.
/// Releasing stores and acquiring loads make each step's memory effects visible to the next.
///
/// Threading: all members are atomics or themselves thread-safe, so the class is `Sendable`.
final class PlayerShared: Sendable {
    /// Latest generation asked for. Stored only under the player's control lock.
    let generation = ManagedAtomic<Int>(0)
    /// The decoder writes no samples of generations below this.
    let decoderAck = ManagedAtomic<Int>(0)
    /// The output thread flushed everything older than this generation.
    let outputAck = ManagedAtomic<Int>(0)
    /// Generation whose song the decoder has put completely into the ring.
    let decoderDone = ManagedAtomic<Int>(0)
    /// Generation whose first frames the output thread has written to the device.
    let outputStarted = ManagedAtomic<Int>(0)
    /// Generation whose last frames the device has played.
    let outputFinished = ManagedAtomic<Int>(0)

    /// The decoder found the ring full and sleeps until the output thread has drained it to half (or 100 ms).
    let decoderWaitsForRoom = ManagedAtomic<Bool>(false)
    /// The song is paused.
    let paused = ManagedAtomic<Bool>(false)
    /// The threads must end.
    let shutdown = ManagedAtomic<Bool>(false)
    /// Target volume as `Float.bitPattern`.
    let volumeBits: ManagedAtomic<UInt32>
    /// Frames of the current generation heard so far (written minus device delay). Published by the output thread.
    let heardFrames = ManagedAtomic<Int>(0)
    /// ALSA xruns recovered (published by the output thread).
    let xruns = ManagedAtomic<Int>(0)
    /// Silent periods written because the ring ran empty mid-song.
    let underruns = ManagedAtomic<Int>(0)

    /// Decoded samples on their way from the decoder thread to the output thread.
    let ring: PCMRing
    /// Wakes the decoder thread (new command, ring flushed).
    let decoderWakeup = Wakeup()
    /// Wakes the output thread (new command, pause/resume, shutdown).
    let outputWakeup = Wakeup()

    init(ringSamples: Int, volume: Float) {
        ring = PCMRing(minimumCapacity: ringSamples)
        volumeBits = ManagedAtomic(volume.bitPattern)
    }

    var volume: Float {
        Float(bitPattern: volumeBits.load(ordering: .relaxed))
    }
}
