import Atomics

/// The engine's latest `Telemetry` (position, levels, spectrum bands...), engine → web, latest value wins.
///
/// A seqlock (see `Seqlock` for the memory ordering): the engine overwrites the snapshot in place without
/// waiting for anybody, readers copy it and retry when a publish overlapped their copy. Any number of
/// readers in any process; one publishing thread.
///
/// ```swift
/// segment.telemetry.publish(telemetry)            // engine, analysis thread, 100+ times per second
/// let latest = segment.telemetry.read()           // web, any thread
/// ```
public struct TelemetrySnapshot: Sendable {
    /// A reader gives up when a publish seems to last this long (see `read()`): a publish takes about a
    /// microsecond, so only a publisher that stopped mid-write (crashed, or SIGSTOPped) holds it that long.
    public static let readerGiveUp: Duration = .milliseconds(50)

    let segment: SharedSegment

    init(segment: SharedSegment) {
        self.segment = segment
    }

    /// Replaces the snapshot with `telemetry` and rings the telemetry doorbell (``waitForPublish(after:timeout:)``);
    /// rings the change doorbell too, but only when what the party state shows moved (playback state, song,
    /// volume), so a watcher of the state is not woken by every position and spectrum update.
    ///
    /// Copies the first `min(bandCount, bands.count, Telemetry.bandCapacity)` bands into fixed storage.
    /// Called on the engine's control thread: does not allocate, lock or wait; makes a futex system call only
    /// when a reader is asleep on a bell it rings. One publishing thread at a time.
    public func publish(_ telemetry: Telemetry) {
        segment.telemetryPublisher.enter()
        defer { segment.telemetryPublisher.leave() }
        let lock = seqlock
        let bandCount = max(0, min(telemetry.bandCount, telemetry.bands.count, Telemetry.bandCapacity))
        // The only writer reads its own last values: no tearing possible.
        let stateMoved =
            lock.writeCount == 0 || load(.state) != UInt64(telemetry.state.rawValue)
            || load(.songID) != UInt64(bitPattern: telemetry.songID) || load(.volume) != telemetry.volume.bitPattern
        let begin = lock.beginWrite()
        store(UInt64(telemetry.state.rawValue), field: .state)
        store(UInt64(bitPattern: telemetry.songID), field: .songID)
        store(telemetry.position.bitPattern, field: .position)
        store(telemetry.duration.bitPattern, field: .duration)
        store(telemetry.volume.bitPattern, field: .volume)
        store(telemetry.xruns, field: .xruns)
        store(telemetry.underruns, field: .underruns)
        store(telemetry.updatedNanos, field: .updatedNanos)
        store(UInt64(bandCount), field: .bandCount)
        store(UInt64(telemetry.level.bitPattern), field: .level)
        store(telemetry.beatCount, field: .beatCount)
        store(UInt64(telemetry.beatStrength.bitPattern), field: .beatStrength)
        store(telemetry.tempo.bitPattern, field: .tempo)
        store(telemetry.ledFrames, field: .ledFrames)
        store(telemetry.ledLatencyP50Micros, field: .ledLatencyP50)
        store(telemetry.ledLatencyP99Micros, field: .ledLatencyP99)
        store(UInt64(bitPattern: telemetry.ledLagP50Micros), field: .ledLagP50)
        var lengths: UInt64 = 0
        let outputs = min(telemetry.previewLengths.count, Telemetry.previewOutputCapacity)
        for output in 0..<outputs {
            let length = max(0, min(Telemetry.previewLEDCapacity, telemetry.previewLengths[output]))
            lengths |= UInt64(length) << (16 * UInt64(output))
            for index in 0..<length {
                let slot = output * Telemetry.previewLEDCapacity + index
                preview(slot).store(slot < telemetry.preview.count ? telemetry.preview[slot] : 0, ordering: .relaxed)
            }
        }
        store(lengths | UInt64(outputs) << 60, field: .previewLengths)
        telemetry.bands.withUnsafeBufferPointer { bands in
            for index in 0..<bandCount {
                band(index).store(bands[index].bitPattern, ordering: .relaxed)
            }
        }
        lock.endWrite(begin)
        segment.telemetryBell.ring()
        if stateMoved { segment.changeBell.ring() }
    }

    /// The current position in the stream of publishes; take it before reading.
    public func publishToken() -> ChangeToken {
        ChangeToken(value: segment.telemetryBell.value)
    }

    /// Sleeps until a snapshot newer than `token` was published or `timeout` passes, without polling (a
    /// futex). Returns the token to pass next time. Blocks the calling thread: use a dedicated thread.
    @discardableResult
    public func waitForPublish(after token: ChangeToken, timeout: Duration) -> ChangeToken {
        let bell = segment.telemetryBell
        _ = bell.wait(untilNanos: Doorbell.deadline(after: timeout)) { bell.value != token.value }
        return publishToken()
    }

    /// The latest snapshot, copied consistently (every field from the same publish).
    ///
    /// Returns `Telemetry()` (idle, nothing playing) if nothing was ever published, and also when the
    /// publisher stopped in the middle of a publish for longer than `readerGiveUp`, which only happens when
    /// the engine crashed or hangs: then nothing is playing that the web could show. Use `read(giveUpAfter:)`
    /// to tell that case apart. Allocates the `bands` array.
    public func read() -> Telemetry {
        read(giveUpAfter: Self.readerGiveUp) ?? Telemetry()
    }

    /// The latest snapshot, or nil when one publish stayed unfinished for longer than `limit` (the publisher
    /// stopped mid-write). A publisher that keeps publishing only makes the reader retry. Safe from any
    /// thread of any process, concurrently with `publish`.
    public func read(giveUpAfter limit: Duration) -> Telemetry? {
        let lock = seqlock
        // Never published (engine not started yet): the defaults, not a snapshot of zeroed memory (volume 0).
        if lock.writeCount == 0 { return Telemetry() }
        var bands = [Float]()
        bands.reserveCapacity(Telemetry.bandCapacity)
        return lock.read(giveUpAfterNanos: Doorbell.nanoseconds(limit)) { () -> Telemetry in
            var telemetry = Telemetry()
            telemetry.state = PlaybackState(rawValue: UInt8(truncatingIfNeeded: load(.state))) ?? .idle
            telemetry.songID = Int64(bitPattern: load(.songID))
            telemetry.position = Double(bitPattern: load(.position))
            telemetry.duration = Double(bitPattern: load(.duration))
            telemetry.volume = Double(bitPattern: load(.volume))
            telemetry.xruns = load(.xruns)
            telemetry.underruns = load(.underruns)
            telemetry.updatedNanos = load(.updatedNanos)
            // Clamp before using it as a bound: a torn copy may hold anything.
            let count = Int(min(load(.bandCount), UInt64(Telemetry.bandCapacity)))
            bands.removeAll(keepingCapacity: true)
            for index in 0..<count {
                bands.append(Float(bitPattern: band(index).load(ordering: .relaxed)))
            }
            telemetry.bandCount = count
            telemetry.bands = bands
            telemetry.level = Float(bitPattern: UInt32(truncatingIfNeeded: load(.level)))
            telemetry.beatCount = load(.beatCount)
            telemetry.beatStrength = Float(bitPattern: UInt32(truncatingIfNeeded: load(.beatStrength)))
            telemetry.tempo = Double(bitPattern: load(.tempo))
            telemetry.ledFrames = load(.ledFrames)
            telemetry.ledLatencyP50Micros = load(.ledLatencyP50)
            telemetry.ledLatencyP99Micros = load(.ledLatencyP99)
            telemetry.ledLagP50Micros = Int64(bitPattern: load(.ledLagP50))
            let lengths = load(.previewLengths)
            let outputs = Int(min(lengths >> 60, UInt64(Telemetry.previewOutputCapacity)))
            telemetry.previewLengths = (0..<outputs).map {
                Int(min(lengths >> (16 * UInt64($0)) & 0xFFFF, UInt64(Telemetry.previewLEDCapacity)))
            }
            telemetry.preview = [UInt32](repeating: 0, count: outputs * Telemetry.previewLEDCapacity)
            for (output, length) in telemetry.previewLengths.enumerated() {
                for index in 0..<length {
                    let slot = output * Telemetry.previewLEDCapacity + index
                    telemetry.preview[slot] = preview(slot).load(ordering: .relaxed)
                }
            }
            return telemetry
        }
    }

    /// How many snapshots were published since the segment was created.
    public var publishCount: UInt64 { seqlock.writeCount }

    // MARK: Storage

    /// Field order inside the telemetry block; each field is one UInt64 word.
    enum Field: Int, CaseIterable {
        case state, songID, position, duration, volume, xruns, underruns, updatedNanos, bandCount
        case level, beatCount, beatStrength, tempo, ledFrames, ledLatencyP50, ledLatencyP99, ledLagP50, previewLengths
    }

    var seqlock: Seqlock { Seqlock(sequence: segment.atomic64(at: SegmentLayout.telemetrySequenceOffset)) }

    @inline(__always)
    private func store(_ value: UInt64, field: Field) {
        segment.atomic64(at: SegmentLayout.telemetryFieldsOffset + field.rawValue * 8)
            .store(value, ordering: .relaxed)
    }

    @inline(__always)
    private func load(_ field: Field) -> UInt64 {
        segment.atomic64(at: SegmentLayout.telemetryFieldsOffset + field.rawValue * 8).load(ordering: .relaxed)
    }

    @inline(__always)
    private func preview(_ index: Int) -> UnsafeAtomic<UInt32> {
        segment.atomic32(at: SegmentLayout.telemetryPreviewOffset + index * 4)
    }

    @inline(__always)
    private func band(_ index: Int) -> UnsafeAtomic<UInt32> {
        segment.atomic32(at: SegmentLayout.telemetryBandsOffset + index * 4)
    }
}

extension SharedSegment {
    /// The engine → web telemetry snapshot.
    public var telemetry: TelemetrySnapshot { TelemetrySnapshot(segment: self) }

    var telemetryBell: Doorbell { Doorbell(segment: self, offset: SegmentLayout.telemetryBellOffset) }
}
