import Atomics
import Glibc

/// A single-writer sequence lock over atomic words in the shared segment: the writer never waits, readers
/// retry when they overlap a write.
///
/// ## Memory ordering
/// Every protected field is itself an atomic accessed with relaxed ordering, so a reader overlapping a write
/// reads stale or mixed values but never undefined ones; the sequence tells it to throw them away.
///
/// Writer: `sequence = odd` (relaxed), release fence, field stores (relaxed), `sequence = odd + 1` (release).
/// Reader: `s0 = sequence` (acquire), field loads (relaxed), acquire fence, `s1 = sequence` (relaxed); the copy
/// is good when `s0 == s1` and `s0` is even.
/// - If a field load saw a store of a later write, the writer's release fence synchronises with the reader's
///   acquire fence, so the reader's `s1` sees that write's odd value (or later) and `s1 != s0`.
/// - If `s0` is the even value ending a write, the release store of it makes every field of that write
///   visible to the loads after the acquire load of `s0`.
///
/// A writer that died mid-write leaves the sequence odd; the next writer skips to the next odd value, and
/// readers give up when the sequence stays odd past a time limit instead of spinning forever
/// (see `read(giveUpAfterNanos:_:)`).
struct Seqlock {
    let sequence: UnsafeAtomic<UInt64>

    /// Starts a write; pass the result to `endWrite`. Does not allocate, lock or wait.
    @inline(__always)
    func beginWrite() -> UInt64 {
        let current = sequence.load(ordering: .relaxed)
        let begin = current & 1 == 0 ? current &+ 1 : current &+ 2
        sequence.store(begin, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        return begin
    }

    @inline(__always)
    func endWrite(_ begin: UInt64) {
        sequence.store(begin &+ 1, ordering: .releasing)
    }

    /// Number of completed writes (also counting writes cut short by a crash).
    var writeCount: UInt64 {
        (sequence.load(ordering: .acquiring) &+ 1) / 2
    }

    /// Runs `copy` until it ran without a write overlapping it, and returns its result.
    ///
    /// Returns nil only when the sequence stayed on one odd value for longer than `limit` nanoseconds: the
    /// writer stopped in the middle of a write (crashed or was stopped). A writer that keeps publishing
    /// makes the reader retry, never give up.
    @inline(__always)
    func read<T>(giveUpAfterNanos limit: UInt64, _ copy: () -> T) -> T? {
        var attempts = 0
        var stuckValue: UInt64 = 0
        var stuckSince: UInt64 = 0
        while true {
            let begin = sequence.load(ordering: .acquiring)
            if begin & 1 == 0 {
                let value = copy()
                atomicMemoryFence(ordering: .acquiring)
                if sequence.load(ordering: .relaxed) == begin { return value }
                continue
            }
            attempts += 1
            if attempts & 63 == 0 {
                // A write takes about a microsecond; keep the clock off the common path.
                let now = SharedSegment.monotonicNanos()
                if begin != stuckValue || stuckSince == 0 {
                    stuckValue = begin
                    stuckSince = now
                } else if now &- stuckSince > limit {
                    return nil
                }
                sched_yield()
            }
        }
    }
}
