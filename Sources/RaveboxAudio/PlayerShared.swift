import Atomics
import Synchronization

/// What the player's three parties (API callers, decoder thread, output thread) share: atomics, and one mutex
/// for the decoder's commands.
///
/// **Generations.** Every `play`, `stop`, failure and `shutdown` bumps `generation`. Samples in the ring belong
/// to the generation the decoder was working on; a flush must not let an old song's samples leak into the next.
/// The handshake:
/// 1. the decoder sees the new generation, stops writing old samples and stores `decoderAck = generation`;
/// 2. the output thread waits for that, discards the ring and the device buffer, stores `outputAck`;
/// 3. only then does the decoder write the new song's samples.
/// Releasing stores and acquiring loads make each step's memory effects visible to the next.
///
/// **Serials.** Every song instance gets a serial number, increasing for the player's lifetime. A
/// generation starts with the song `firstSerial`; when its file ends and a song was queued with
/// `Player.playNext`, the decoder goes straight on with that song in the same generation (gapless):
/// it publishes where in the ring the new song starts (`boundarySample`, then `nextSerial`), and the
/// output thread reports the old song finished and the new one started when that sample is *heard*
/// (`startedSerial`, `finishedSerial`, both only ever growing).
///
/// Threading: all members are atomics, thread-safe, or behind `control`'s mutex, so the class is `Sendable`.
final class PlayerShared: Sendable {
    /// What the player's API asks of the decoder thread. Never touched by the output thread (atomics only).
    let control: Mutex<PlayerControl>
    /// Latest generation asked for. Stored only under the player's control lock.
    let generation = ManagedAtomic<Int>(0)
    /// The decoder writes no samples of generations below this.
    let decoderAck = ManagedAtomic<Int>(0)
    /// The output thread flushed everything older than this generation.
    let outputAck = ManagedAtomic<Int>(0)
    /// Generation whose song the decoder has put completely into the ring.
    let decoderDone = ManagedAtomic<Int>(0)
    /// Serial of the first song of the newest generation (stored before `generation`).
    let firstSerial = ManagedAtomic<Int>(0)
    /// Serial of the song the decoder chained on gaplessly, published after `boundarySample`.
    let nextSerial = ManagedAtomic<Int>(0)
    /// Loudness gain of the first song of the newest generation, and of the chained song (`Float` bits;
    /// stored before `generation` and `nextSerial` respectively).
    let firstGainBits = ManagedAtomic<UInt32>(Float(1).bitPattern)
    let nextGainBits = ManagedAtomic<UInt32>(Float(1).bitPattern)
    /// Frames over which a song fades into the next one queued with `playNext`; 0 = gapless, no fade.
    let crossfadeFrames = ManagedAtomic<Int>(0)
    /// Ring position (`PCMRing.writePosition`) of the chained song's first sample.
    let boundarySample = ManagedAtomic<Int>(0)
    /// The output thread has taken the boundary of this serial; the decoder may chain another song.
    let boundaryTaken = ManagedAtomic<Int>(0)
    /// Highest serial whose first frames reached the device (heard, for a chained song).
    let startedSerial = ManagedAtomic<Int>(0)
    /// Every serial up to this one has been played to its end.
    let finishedSerial = ManagedAtomic<Int>(0)

    /// The decoder found the ring full and sleeps until the output thread has drained it to half (or 100 ms).
    let decoderWaitsForRoom = ManagedAtomic<Bool>(false)
    /// The song is paused.
    let paused = ManagedAtomic<Bool>(false)
    /// The threads must end.
    let shutdown = ManagedAtomic<Bool>(false)
    /// Target volume as `Float.bitPattern`.
    let volumeBits: ManagedAtomic<UInt32>
    /// The song being heard and how many of its frames were heard (written minus device delay), packed
    /// as `serial << 40 | frames` so the two always belong together. Published by the output thread.
    let heard = ManagedAtomic<UInt64>(0)
    /// Loop passes of the decoder and output threads; both pass at least 5 times a second while healthy
    /// (idle waits are bounded at 200 ms), so a counter that stops means a thread is stuck.
    let decoderPasses = ManagedAtomic<Int>(0)
    let outputPasses = ManagedAtomic<Int>(0)
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

    init(ringSamples: Int, volume: Float, control: PlayerControl) {
        self.control = Mutex(control)
        ring = PCMRing(minimumCapacity: ringSamples)
        volumeBits = ManagedAtomic(volume.bitPattern)
    }

    var volume: Float {
        Float(bitPattern: volumeBits.load(ordering: .relaxed))
    }

    static func packHeard(serial: Int, frames: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: serial) << 40 | UInt64(truncatingIfNeeded: max(0, frames)) & (1 << 40 - 1)
    }

    /// The song being heard and its frames heard.
    var heardSong: (serial: Int, frames: Int) {
        let packed = heard.load(ordering: .relaxed)
        return (Int(packed >> 40), Int(packed & (1 << 40 - 1)))
    }
}
