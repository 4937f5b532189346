import CRaveboxSys
import Logging
import RaveboxMedia

#if canImport(Glibc)
    import Glibc
#endif

/// The player's output thread: moves samples from the ring to the `PCMOutput`, applying the volume.
///
/// **Realtime rules.** In its steady state — one iteration per period while a song plays — the loop only
/// loads/stores atomics, copies from the preallocated ring into the preallocated `period` buffer, scales
/// samples, and calls `PCMOutput.write`/`delay` (ALSA) and, on clockless devices, the pacer's
/// `clock_nanosleep`. Nothing there allocates: no arrays, strings, closures or existentials are created
/// (`PCMOutput` calls go through the already-built existential; typed throws carry `PCMOutputError`
/// without boxing it), no lock is taken and nothing is logged. It blocks only in ALSA's `snd_pcm_writei`
/// (or the pacer's sleep that stands in for it). Waiting on a `Wakeup` happens only at rest: idle, paused, or
/// waiting for the first samples of a song. Logging happens once at thread start and on device failure.
///
/// **Idle and paused**, nothing is written to the device: the stream is dropped (or paused in place where the
/// hardware can), so a `file` plugin capture holds exactly the songs' samples.
final class OutputLoop: @unchecked Sendable {
    // @unchecked Sendable: every `var` (and `output`, which is not Sendable) is used only by the output thread
    // after `Player.start()` hands this object to it via pthread_create; `Player` touches `output` again only
    // after pthread_join. Shared state goes through `shared` (atomics).

    private enum Phase {
        /// The generation has no samples written yet (idle, or waiting for the decoder).
        case waiting
        /// Frames of the song are being written.
        case playing
        /// The song played out; nothing more to do until the next generation.
        case finished
    }

    private let output: any PCMOutput
    private let shared: PlayerShared
    /// Where the frames also go: the analysis ring, and optionally a pipe for Snapcast.
    private let tap: AnalysisTap
    private let fifo: FIFOSink?
    private let logger: Logger
    private let format: AudioFormat
    private let channels: Int
    private let realtimePriority: Int32?
    private let pacingMode: Pacing
    /// One period of samples: the only buffer the steady-state loop uses.
    private let period: UnsafeMutablePointer<Int16>
    private let periodSamples: Int
    private let silence: UnsafeMutablePointer<Int16>
    /// Samples to collect before the first write of a song, so a slow start does not underrun at once.
    private let prerollSamples: Int

    private var pacer: Pacer
    private var ramp: VolumeRamp
    private var generation = 0
    private var phase = Phase.finished
    /// Song frames written in this generation.
    private var songFrames = 0
    /// The song whose samples are being written, and the generation frame it began at.
    private var writingSerial = 0
    private var writingStart = 0
    /// The song being heard (behind the writing one by the device's delay), and its first frame.
    private var audibleSerial = 0
    private var audibleStart = 0
    /// A gapless boundary the decoder announced and the output has not reached: ring position, serial and
    /// the new song's loudness gain.
    private var boundary: (position: Int, serial: Int, gain: Float)?
    /// Loudness gain of the song being written, applied on top of the volume.
    private var songGain: Float = 1
    /// The last `nextSerial` seen.
    private var seenNextSerial = 0
    /// A song completely written but not yet completely heard: it ends at `endFrame`, `next` follows it.
    private var finishing: (serial: Int, endFrame: Int, next: Int)?
    private var needsPrepare = false
    private var pausedInPlace = false
    private var pauseApplied = false
    private var writeFailing = false

    init(
        output: any PCMOutput, shared: PlayerShared, tap: AnalysisTap, fifo: FIFOSink?, pacing: Pacing,
        realtimePriority: Int32?, logger: Logger
    ) {
        self.output = output
        self.shared = shared
        self.tap = tap
        self.fifo = fifo
        self.logger = logger
        self.realtimePriority = realtimePriority
        pacingMode = pacing
        format = output.format
        channels = output.format.channels
        periodSamples = output.periodFrames * output.format.channels
        period = .allocate(capacity: periodSamples)
        period.initialize(repeating: 0, count: periodSamples)
        silence = .allocate(capacity: periodSamples)
        silence.initialize(repeating: 0, count: periodSamples)
        prerollSamples = min(output.bufferFrames * output.format.channels, shared.ring.capacity / 2)
        pacer = Pacer(
            pacing: pacing, clockless: output.isClockless, sampleRate: output.format.sampleRate,
            aheadLimit: output.bufferFrames
        )
        ramp = VolumeRamp(initial: shared.volume, sampleRate: output.format.sampleRate)
    }

    deinit {
        period.deallocate()
        silence.deallocate()
    }

    /// The thread's body; returns after `PlayerShared.shutdown` is set, with the stream dropped.
    func run() {
        enterRealtime()
        while !shared.shutdown.load(ordering: .acquiring) {
            step()
        }
        output.drop()
    }

    /// One iteration: follow a new generation, honour pause, or write one period.
    private func step() {
        shared.outputPasses.wrappingIncrement(ordering: .relaxed)
        let requested = shared.generation.load(ordering: .acquiring)
        if requested != generation {
            follow(requested)
            return
        }
        if phase == .finished {
            shared.outputWakeup.wait(nanoseconds: 200_000_000)
            return
        }
        // A pause first fades the song out (the volume ramp down to 0, ~20 ms), then stops the device; the
        // resume fades back in from 0. No click either way.
        let pauseRequested = shared.paused.load(ordering: .acquiring)
        let available = shared.ring.readableCount
        if pauseRequested && (phase != .playing || pauseApplied || ramp.current == 0 || available == 0) {
            pauseStream()
            shared.outputWakeup.wait(nanoseconds: 200_000_000)
            return
        }
        if !pauseRequested && pauseApplied { resumeStream() }

        let done = shared.decoderDone.load(ordering: .acquiring) == generation
        if phase == .waiting && available < prerollSamples && !done {
            shared.outputWakeup.wait(nanoseconds: 1_000_000)
            return
        }
        if available == 0 {
            if done {
                playOut()
            } else if output.isClockless && !pacer.engaged {
                // No clock, so no deadline to miss: wait for the decoder instead of inventing silence.
                Pacer.sleep(nanoseconds: 500_000)
            } else if phase == .playing {
                shared.underruns.wrappingIncrement(ordering: .relaxed)
                write(silence, frames: periodSamples / channels, isSong: false)
            }
            return
        }
        var samples = min(available, periodSamples)
        if let until = samplesUntilBoundary() { samples = min(samples, until) }
        samples = samples / channels * channels
        guard samples > 0 else { return }
        shared.ring.read(into: UnsafeMutableBufferPointer(start: period, count: samples))
        if available - samples < shared.ring.capacity / 2
            && shared.decoderWaitsForRoom.exchange(false, ordering: .acquiringAndReleasing)
        {
            shared.decoderWakeup.signal()  // a futex wake at most: never blocks
        }
        let frames = samples / channels
        ramp.apply(
            to: period, frames: frames, channels: channels, target: pauseRequested ? 0 : shared.volume * songGain)
        write(period, frames: frames, isSong: true)
    }

    /// Flushes everything of older generations once the decoder stopped producing them.
    private func follow(_ requested: Int) {
        stopStream()
        guard shared.decoderAck.load(ordering: .acquiring) >= requested else {
            shared.outputWakeup.wait(nanoseconds: 2_000_000)
            return
        }
        shared.ring.discardAll()
        pacer.restart()
        songFrames = 0
        writingSerial = shared.firstSerial.load(ordering: .acquiring)
        songGain = Float(bitPattern: shared.firstGainBits.load(ordering: .acquiring))
        (writingStart, audibleSerial, audibleStart) = (0, writingSerial, 0)
        finishing = nil
        boundary = nil
        // A boundary announced for a song that was skipped before it was reached is stale: mark it taken so
        // the decoder may chain again.
        seenNextSerial = shared.nextSerial.load(ordering: .acquiring)
        shared.boundaryTaken.store(seenNextSerial, ordering: .releasing)
        shared.heard.store(PlayerShared.packHeard(serial: writingSerial, frames: 0), ordering: .relaxed)
        phase = .waiting
        pauseApplied = false
        generation = requested
        shared.outputAck.store(requested, ordering: .releasing)
        shared.decoderWakeup.signal()
    }

    private func write(_ samples: UnsafeMutablePointer<Int16>, frames: Int, isSong: Bool) {
        do throws(PCMOutputError) {
            if needsPrepare {
                try output.prepare()
                needsPrepare = false
            }
            pacer.waitBeforeWriting(frames: frames)
            let written = try output.write(samples, frames: frames)
            pacer.didWrite(frames: written)
            writeFailing = false
            tap.push(samples, frames: written, delayFrames: currentDelay())
            fifo?.write(samples, frames: written, channels: channels)
        } catch {
            deviceFailed(error)
            return
        }
        if isSong {
            songFrames += frames
            if phase == .waiting {
                phase = .playing
                shared.startedSerial.store(writingSerial, ordering: .releasing)
            }
        }
        publishHeard(songFrames - currentDelay())
        shared.xruns.store(output.xruns, ordering: .relaxed)
    }

    /// Samples to read before the announced gapless boundary; at the boundary, switches the written song
    /// (the heard one follows in `publishHeard`). `nil` without a boundary.
    private func samplesUntilBoundary() -> Int? {
        if boundary == nil {
            let next = shared.nextSerial.load(ordering: .acquiring)
            if next != seenNextSerial {
                seenNextSerial = next
                boundary = (
                    shared.boundarySample.load(ordering: .relaxed), next,
                    Float(bitPattern: shared.nextGainBits.load(ordering: .relaxed))
                )
            }
        }
        guard let pending = boundary else { return nil }
        let until = pending.position - shared.ring.readPosition
        if until > 0 { return until }
        // The song written so far is complete. Should the one before it still be sounding (a song shorter
        // than the device buffer), it is reported finished now, a few milliseconds early.
        if finishing != nil { reachEndOfAudibleSong() }
        finishing = (writingSerial, songFrames, pending.serial)
        writingSerial = pending.serial
        writingStart = songFrames
        songGain = pending.gain
        boundary = nil
        shared.boundaryTaken.store(pending.serial, ordering: .releasing)
        return nil
    }

    /// Publishes how much of the song being heard was heard; at a gapless boundary, reports the old song
    /// finished and the new one started once the boundary's first frame is heard.
    private func publishHeard(_ heardFrames: Int) {
        if let ending = finishing, heardFrames >= ending.endFrame { reachEndOfAudibleSong() }
        shared.heard.store(
            PlayerShared.packHeard(serial: audibleSerial, frames: heardFrames - audibleStart), ordering: .relaxed)
    }

    private func reachEndOfAudibleSong() {
        guard let ending = finishing else { return }
        finishing = nil
        audibleSerial = ending.next
        audibleStart = ending.endFrame
        shared.startedSerial.store(ending.next, ordering: .releasing)
        shared.finishedSerial.store(ending.serial, ordering: .releasing)
    }

    /// Every sample of the song is written: wait until the device played them, then report the end.
    private func playOut() {
        if phase == .playing {
            pacer.waitUntilPlayed()
            output.drain()
            needsPrepare = true
        }
        reachEndOfAudibleSong()
        shared.heard.store(
            PlayerShared.packHeard(serial: writingSerial, frames: songFrames - writingStart), ordering: .relaxed)
        phase = .finished
        shared.startedSerial.store(writingSerial, ordering: .releasing)
        shared.finishedSerial.store(writingSerial, ordering: .releasing)
        shared.decoderWakeup.signal()
    }

    private func pauseStream() {
        guard !pauseApplied else { return }
        pauseApplied = true
        pacer.pause()
        publishHeard(songFrames - currentDelay())
        guard phase == .playing else { return }
        if output.setPaused(true) {
            pausedInPlace = true
        } else {
            output.drop()
            needsPrepare = true
        }
    }

    private func resumeStream() {
        pauseApplied = false
        if pausedInPlace {
            pausedInPlace = false
            if !output.setPaused(false) {
                output.drop()
                needsPrepare = true
            }
        }
        pacer.resume()
    }

    /// Drops whatever the device still holds (skip, stop, shutdown).
    private func stopStream() {
        guard phase == .playing || pausedInPlace else { return }
        output.drop()
        needsPrepare = true
        pausedInPlace = false
        phase = .finished
    }

    private func currentDelay() -> Int {
        if pacer.engaged { return pacer.delay() }
        if output.isClockless { return 0 }
        return output.delay()
    }

    /// The device stopped working (unplugged?): say so once, then retry every 200 ms.
    private func deviceFailed(_ error: PCMOutputError) {
        if !writeFailing {
            writeFailing = true
            logger.error("Audio output failed: \(error)")
        }
        needsPrepare = true
        Pacer.sleep(nanoseconds: 200_000_000)
    }

    /// SCHED_FIFO and locked memory where permitted; one log line when not.
    private func enterRealtime() {
        guard let priority = realtimePriority else { return }
        var missing: [String] = []
        // A clockless device written without pacing never blocks: at SCHED_FIFO it would hog a core.
        if !(output.isClockless && pacingMode == .off) {
            let result = rb_set_realtime_priority(priority)
            if result != 0 { missing.append("SCHED_FIFO priority \(priority) (\(String(cString: strerror(result))))") }
        }
        let locked = MemoryLock.lockOnce
        if locked != 0 { missing.append("locked memory (\(String(cString: strerror(locked))))") }
        if !missing.isEmpty {
            logger.notice(
                """
                Audio output thread runs without \(missing.joined(separator: " and ")): expect dropouts under \
                load. Grant CAP_SYS_NICE and CAP_IPC_LOCK, or LimitRTPRIO=95 and LimitMEMLOCK=infinity in the \
                systemd unit.
                """
            )
        }
    }
}

/// `mlockall` is process-wide: done once, by the first output thread, and the result remembered.
enum MemoryLock {
    /// 0 when the process's memory is locked, else the errno value.
    static let lockOnce: Int32 = rb_lock_memory()
}
