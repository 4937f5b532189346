import Atomics
import Glibc

/// The latest sign of life of one process, as it wrote it into the shared segment.
///
/// The supervisor compares `monotonicNanos` with `SharedSegment.monotonicNanos()` to find a hung child
/// (CLOCK_MONOTONIC is one clock for every process on the machine) and `pid` with the child it started.
public struct Heartbeat: Sendable, Equatable, Codable {
    /// Number of beats since the segment was created (it carries on across restarts of the process).
    public var counter: UInt64
    /// CLOCK_MONOTONIC time of the latest beat, in nanoseconds; 0 if the process never beat.
    public var monotonicNanos: UInt64
    /// Process id given with the latest beat; 0 if the process never beat.
    public var pid: Int32

    public init(counter: UInt64, monotonicNanos: UInt64, pid: Int32) {
        self.counter = counter
        self.monotonicNanos = monotonicNanos
        self.pid = pid
    }

    /// Nanoseconds between the latest beat and `now` (0 if the beat looks newer than `now`).
    public func age(atMonotonicNanos now: UInt64 = SharedSegment.monotonicNanos()) -> UInt64 {
        now > monotonicNanos ? now - monotonicNanos : 0
    }
}

extension SharedSegment {
    /// CLOCK_MONOTONIC now, in nanoseconds: the same clock in every process, never jumps with the wall clock.
    /// Does not allocate (a vDSO call).
    @inline(__always)
    public static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Records that `role` is alive: increments its counter and stores the time and `pid`.
    ///
    /// Call it from one thread per role (the process's own heartbeat loop); does not allocate or lock.
    public func beat(_ role: ProcessRole, pid: Int32 = getpid()) {
        let slot = heartbeatSlot(role)
        let begin = slot.lock.beginWrite()
        slot.counter.store(slot.counter.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        slot.nanos.store(Self.monotonicNanos(), ordering: .relaxed)
        slot.pid.store(UInt64(UInt32(bitPattern: pid)), ordering: .relaxed)
        slot.lock.endWrite(begin)
    }

    /// The latest heartbeat of `role`, read consistently (counter, time and pid from the same beat).
    ///
    /// Safe from any thread of any process. If the beating process died in the middle of a beat, returns the
    /// fields as they are after 10 ms instead of waiting for a consistent copy that will never come.
    public func heartbeat(of role: ProcessRole) -> Heartbeat {
        let slot = heartbeatSlot(role)
        func copy() -> Heartbeat {
            Heartbeat(
                counter: slot.counter.load(ordering: .relaxed),
                monotonicNanos: slot.nanos.load(ordering: .relaxed),
                pid: Int32(bitPattern: UInt32(truncatingIfNeeded: slot.pid.load(ordering: .relaxed))))
        }
        return slot.lock.read(giveUpAfterNanos: 10_000_000, copy) ?? copy()
    }

    private func heartbeatSlot(
        _ role: ProcessRole
    ) -> (
        lock: Seqlock, counter: UnsafeAtomic<UInt64>, nanos: UnsafeAtomic<UInt64>, pid: UnsafeAtomic<UInt64>
    ) {
        precondition(role.rawValue < SegmentLayout.heartbeatSlots, "no heartbeat slot for \(role)")
        let offset = SegmentLayout.heartbeatsOffset + role.rawValue * SegmentLayout.heartbeatStride
        return (
            Seqlock(sequence: atomic64(at: offset)), atomic64(at: offset + 8), atomic64(at: offset + 16),
            atomic64(at: offset + 24)
        )
    }
}
