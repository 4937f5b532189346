import Foundation
import Logging
import RaveboxCore
import RaveboxMedia

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
    /// Serial of the song being decoded (see `PlayerShared`).
    private var decodingSerial = 0
    /// Loudness gain of the song being decoded (the output applies it; a crossfade needs it to mix).
    private var decodingGain: Float = 1
    /// Where in its file the song being decoded started (a seek), in frames.
    private var startFrames = 0
    /// During a crossfade: the song fading out, how loud it is relative to the incoming one's gain, and
    /// the fade's length and progress in frames.
    private var outgoing: AudioDecoder?
    private var outgoingRatio: Float = 1
    private var fadeFrames = 0
    private var fadeDone = 0
    private let fadeChunk: UnsafeMutableBufferPointer<Int16>

    init(shared: PlayerShared, format: AudioFormat, logger: Logger) {
        self.shared = shared
        self.format = format
        self.logger = logger
        chunk = .allocate(capacity: chunkFrames * format.channels)
        chunk.initialize(repeating: 0)
        fadeChunk = .allocate(capacity: chunkFrames * format.channels)
        fadeChunk.initialize(repeating: 0)
    }

    deinit {
        chunk.deallocate()
        fadeChunk.deallocate()
    }

    /// The thread's body; returns after `PlayerShared.shutdown` is set.
    func run() {
        while !shared.shutdown.load(ordering: .acquiring) {
            shared.decoderPasses.wrappingIncrement(ordering: .relaxed)
            let command = shared.control.withLock { state -> PlayerControl.Command? in
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
        outgoing = nil
        guard case .play(let path, let from, let token, let generation) = command else { return }
        self.token = token
        decodingSerial = shared.firstSerial.load(ordering: .acquiring)
        decodingGain = Float(bitPattern: shared.firstGainBits.load(ordering: .acquiring))
        startFrames = format.frames(inSeconds: from)
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
            shared.control.withLock { state in
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
        if chunkStart == chunkEnd { startCrossfadeIfDue() }
        guard let decoder else { return false }
        if chunkStart == chunkEnd {
            do throws(DecodeError) {
                let frames = try decoder.read(into: chunk, frames: min(chunkFrames, framesBeforeFade() ?? chunkFrames))
                if frames > 0 && outgoing != nil { mixOutgoing(into: frames) }
                if frames == 0 {
                    outgoing = nil
                    switch chainNext() {
                    case .chained: break
                    case .notYet: return false
                    case .none: finish()
                    }
                    return true
                }
                chunkStart = 0
                chunkEnd = frames * format.channels
            } catch {
                if decoder.framesRead == 0 && isFollowing(serial: decodingSerial) {
                    // A chained song that yields no audio: report it, let the previous one play out.
                    failFollowing(serial: decodingSerial, token: token, error: error)
                    finish()
                } else if decoder.framesRead == 0 {
                    fail(error)
                } else {
                    let heard = format.seconds(ofFrames: decoder.framesRead)
                    logger.warning(
                        "Song ended early: \(error.details)", metadata: ["token": "\(token)", "after": "\(heard) s"]
                    )
                    switch chainNext() {
                    case .chained: break
                    case .notYet: return false
                    case .none: finish()
                    }
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

    enum Chain { case chained, notYet, none }

    /// With a crossfade set, the frames left before the fade should start (so it starts on the frame), or
    /// nil when no fade is coming.
    private func framesBeforeFade() -> Int? {
        let crossfade = shared.crossfadeFrames.load(ordering: .relaxed)
        guard crossfade > 0, outgoing == nil, let current = decoder, let duration = current.duration else { return nil }
        let untilFade = format.frames(inSeconds: duration) - startFrames - current.framesRead - crossfade
        return untilFade > 0 ? untilFade : nil
    }

    /// With a crossfade set and the next song queued, starts it when the current song has no more than the
    /// fade's length left: from here on the ring holds the new song (its boundary is announced now) with
    /// the old one mixed in, fading out.
    private func startCrossfadeIfDue() {
        let crossfade = shared.crossfadeFrames.load(ordering: .relaxed)
        guard crossfade > 0, outgoing == nil, let current = decoder, let duration = current.duration else { return }
        let remaining = format.frames(inSeconds: duration) - startFrames - current.framesRead
        guard remaining > 0, remaining <= crossfade else { return }
        let gain = decodingGain
        guard chainNext(closingWhenEmpty: false) == .chained else { return }
        outgoing = current
        outgoingRatio = decodingGain > 0 ? gain / decodingGain : 0
        fadeFrames = remaining
        fadeDone = 0
    }

    /// Mixes the outgoing song into the `frames` just read of the incoming one: equal-power (cos/sin)
    /// gains over the fade, each song at its own loudness gain. Ends the fade when it is complete or the
    /// outgoing file ends.
    private func mixOutgoing(into frames: Int) {
        guard let fading = outgoing else { return }
        let channels = format.channels
        var got = 0
        while got < frames {
            let part = UnsafeMutableBufferPointer(rebasing: fadeChunk[(got * channels)...])
            guard let read = try? fading.read(into: part, frames: frames - got), read > 0 else { break }
            got += read
        }
        for frame in 0..<frames {
            let progress = min(1, Float(fadeDone + frame) / Float(max(1, fadeFrames)))
            let outWeight = frame < got ? cos(progress * .pi / 2) * outgoingRatio : 0
            let inWeight = sin(progress * .pi / 2)
            for channel in 0..<channels {
                let index = frame * channels + channel
                let mixed = Float(fadeChunk[index]) * outWeight + Float(chunk[index]) * inWeight
                chunk[index] = Int16(max(-32_768, min(32_767, mixed.rounded())))
            }
        }
        fadeDone += frames
        if got < frames || fadeDone >= fadeFrames { outgoing = nil }
    }

    /// At the end of a file: goes straight on with the song queued by `Player.playNext`, in the same
    /// generation, and tells the output thread where in the ring it starts. `.notYet` while the output
    /// thread has not taken the previous boundary (a song shorter than the ring); `.none` without a next
    /// song or when it cannot be opened (it is reported `.failed`).
    private func chainNext(closingWhenEmpty: Bool = true) -> Chain {
        let generation = generation
        if shared.boundaryTaken.load(ordering: .acquiring) != shared.nextSerial.load(ordering: .relaxed) {
            return .notYet
        }
        enum Decision {
            case take(path: String, token: Int64, serial: Int, gain: Float)
            case wait
            case close
        }
        let decision = shared.control.withLock { state -> Decision in
            guard state.current?.generation == generation else { return .close }
            // The song before is still `following` until it is heard: a queued one waits its turn.
            if state.following != nil, state.next != nil { return .wait }
            guard state.following == nil, let next = state.next else {
                // From here on `playNext` answers false: the chain ends with this song.
                if closingWhenEmpty { state.chainClosed = generation }
                return .close
            }
            state.next = nil
            let serial = state.nextSerial()
            state.following = PlayerControl.Song(
                token: next.token, generation: generation, serial: serial, path: next.path, startOffset: 0)
            return .take(path: next.path, token: next.token, serial: serial, gain: next.gain)
        }
        let taken: (path: String, token: Int64, serial: Int, gain: Float)
        switch decision {
        case .take(let path, let token, let serial, let gain): taken = (path, token, serial, gain)
        case .wait: return .notYet
        case .close: return .none
        }
        logSkippedPackets()
        do throws(DecodeError) {
            let opened = try AudioDecoder(path: taken.path, format: format)
            decoder = opened
            token = taken.token
            decodingSerial = taken.serial
            decodingGain = taken.gain
            startFrames = 0
            shared.control.withLock { state in
                if state.following?.serial == taken.serial { state.following?.duration = opened.duration }
            }
            shared.boundarySample.store(shared.ring.writePosition, ordering: .relaxed)
            shared.nextGainBits.store(taken.gain.bitPattern, ordering: .relaxed)
            shared.nextSerial.store(taken.serial, ordering: .releasing)
            logger.debug(
                "Decoding the next song gaplessly",
                metadata: ["token": "\(taken.token)", "path": "\(taken.path)", "codec": "\(opened.codecName)"])
            return .chained
        } catch {
            failFollowing(serial: taken.serial, token: taken.token, error: error)
            return .none
        }
    }

    private func isFollowing(serial: Int) -> Bool {
        shared.control.withLock { $0.following?.serial == serial }
    }

    /// The song chained on cannot be played: `.failed` for it; the song before it is not touched.
    private func failFollowing(serial: Int, token: Int64, error: DecodeError) {
        logger.warning("Next song failed: \(error.details)", metadata: ["token": "\(token)"])
        let generation = generation
        shared.control.withLock { state in
            guard state.following?.serial == serial else { return }
            state.following = nil
            // The chain ends with the song before it; what comes next is played the ordinary way.
            state.chainClosed = generation
            state.emit(.failed(token, reason: error.reason))
        }
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
        logSkippedPackets()
        decoder = nil
        outgoing = nil
        shared.decoderDone.store(generation, ordering: .releasing)
        shared.outputWakeup.signal()
    }

    private func logSkippedPackets() {
        guard let decoder, decoder.skippedPackets > 0 else { return }
        logger.notice(
            "Skipped damaged data while decoding",
            metadata: ["token": "\(token)", "path": "\(decoder.path)", "packets": "\(decoder.skippedPackets)"]
        )
    }

    /// The song cannot be played: report `.failed` (unless it was superseded meanwhile) and go idle.
    private func fail(_ error: DecodeError) {
        decoder = nil
        logger.warning("Song failed: \(error.details)", metadata: ["token": "\(token)"])
        let failedGeneration = generation
        shared.control.withLock { state in
            guard state.current?.generation == failedGeneration else { return }
            state.endCurrent(shared) { .failed($0, reason: error.reason) }
        }
        shared.outputWakeup.signal()
    }
}
