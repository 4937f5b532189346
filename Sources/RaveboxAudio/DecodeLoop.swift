import Logging

/// The player's decoder thread: takes commands, opens songs with `AudioDecoder` and keeps the ring full.
///
/// It is the only thread that opens files, allocates while playing and logs about songs, so the output thread
/// never has to. A file that cannot be opened or yields no audio ends as `.failed` right away (opening a local
/// file takes milliseconds); a file that breaks after some audio played ends as `.finished` with a log line.
final class DecodeLoop: @unchecked Sendable {
    // @unchecked Sendable: the `var`s below are touched only by the decoder thread, which is the only code that
    // calls `run()`; the object is handed to that thread once at creation (pthread_create orders the handoff).
    // Everything shared is in `shared` (atomics) or `control` (lock).

    private let shared: PlayerShared
    private let control: Locked<PlayerControl>
    private let format: AudioFormat
    private let logger: Logger
    /// Frames decoded per `AudioDecoder.read` call.
    private let chunkFrames = 2048
    private let chunk: UnsafeMutableBufferPointer<Int16>
    private var chunkStart = 0
    private var chunkEnd = 0
    private var decoder: AudioDecoder?
    private var generation = 0
    private var token: Int64 = 0

    init(shared: PlayerShared, control: Locked<PlayerControl>, format: AudioFormat, logger: Logger) {
        self.shared = shared
        self.control = control
        self.format = format
        self.logger = logger
        chunk = .allocate(capacity: chunkFrames * format.channels)
        chunk.initialize(repeating: 0)
    }

    deinit {
        chunk.deallocate()
    }

    /// The thread's body; returns after `PlayerShared.shutdown` is set.
    func run() {
        while !shared.shutdown.load(ordering: .acquiring) {
            let command = control.withLock { state -> PlayerControl.Command? in
                defer { state.command = nil }
                return state.command
            }
            if let command {
                handle(command)
            } else if decoder != nil {
                if !pump() { waitForRoom() }
            } else {
                shared.decoderWakeup.wait(nanoseconds: 200_000_000)
            }
        }
        decoder = nil
    }

    private func handle(_ command: PlayerControl.Command) {
        decoder = nil
        chunkStart = 0
        chunkEnd = 0
        generation = command.generation
        shared.decoderAck.store(command.generation, ordering: .releasing)
        shared.outputWakeup.signal()
        guard case .play(let path, let from, let token, let generation) = command else { return }
        self.token = token
        // Wait until the output thread discarded the previous song's samples before writing new ones.
        while shared.outputAck.load(ordering: .acquiring) < generation {
            if shared.generation.load(ordering: .acquiring) != generation || shared.shutdown.load(ordering: .relaxed) {
                return
            }
            shared.decoderWakeup.wait(nanoseconds: 2_000_000)
        }
        do throws(DecodeError) {
            let opened = try AudioDecoder(path: path, format: format)
            if from > 0 { try opened.seek(to: from) }
            decoder = opened
            control.withLock { state in
                if state.current?.generation == generation { state.current?.duration = opened.duration }
            }
            logger.debug(
                "Decoding song",
                metadata: ["token": "\(token)", "path": "\(path)", "codec": "\(opened.codecName)", "from": "\(from)"]
            )
        } catch {
            fail(error)
        }
    }

    /// Moves decoded samples into the ring. Returns false when nothing could be done (ring full).
    private func pump() -> Bool {
        guard let decoder else { return false }
        if chunkStart == chunkEnd {
            do throws(DecodeError) {
                let frames = try decoder.read(into: chunk, frames: chunkFrames)
                if frames == 0 {
                    finish()
                    return true
                }
                chunkStart = 0
                chunkEnd = frames * format.channels
            } catch {
                if decoder.framesRead == 0 {
                    fail(error)
                } else {
                    let heard = format.seconds(ofFrames: decoder.framesRead)
                    logger.warning(
                        "Song ended early: \(error.details)", metadata: ["token": "\(token)", "after": "\(heard) s"]
                    )
                    finish()
                }
                return true
            }
        }
        // Whole frames only, so the output thread always reads whole frames.
        let writable = shared.ring.writableCount / format.channels * format.channels
        let count = min(writable, chunkEnd - chunkStart)
        guard count > 0 else { return false }
        shared.ring.write(UnsafeBufferPointer(rebasing: chunk[chunkStart..<(chunkStart + count)]))
        chunkStart += count
        return true
    }

    /// Sleeps until the output thread has played the ring down to half (it signals), at most 100 ms.
    private func waitForRoom() {
        shared.decoderWaitsForRoom.store(true, ordering: .releasing)
        if shared.ring.writableCount < shared.ring.capacity / 2 {
            shared.decoderWakeup.wait(nanoseconds: 100_000_000)
        }
        shared.decoderWaitsForRoom.store(false, ordering: .relaxed)
    }

    /// The whole song is in the ring: tell the output thread, which plays it out and reports `.finished`.
    private func finish() {
        if let decoder, decoder.skippedPackets > 0 {
            logger.notice(
                "Skipped damaged data while decoding",
                metadata: ["token": "\(token)", "path": "\(decoder.path)", "packets": "\(decoder.skippedPackets)"]
            )
        }
        decoder = nil
        shared.decoderDone.store(generation, ordering: .releasing)
        shared.outputWakeup.signal()
    }

    /// The song cannot be played: report `.failed` (unless it was superseded meanwhile) and go idle.
    private func fail(_ error: DecodeError) {
        decoder = nil
        logger.warning("Song failed: \(error.details)", metadata: ["token": "\(token)"])
        let failedGeneration = generation
        control.withLock { state in
            guard state.current?.generation == failedGeneration else { return }
            state.endCurrent(shared) { .failed($0, reason: error.reason) }
        }
        shared.outputWakeup.signal()
    }
}
