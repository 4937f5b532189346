import Atomics
import CRaveboxSys
import Glibc

/// A futex word in the shared segment that lets a process sleep until another process has news, instead of
/// polling.
///
/// The word is a counter that every `ring()` increments; next to it sits the number of threads (in any
/// process) currently inside `wait`. Ringing costs one atomic increment and one load, plus a `futex(WAKE)`
/// system call only when somebody may be asleep.
///
/// ## Why no wake-up is lost
/// A ringer makes its news visible (for example stores a ring's `head` with release ordering), then does
/// (R1) `word += 1` and (R2) `load waiters`, both sequentially consistent. A waiter does (W1) `waiters += 1`,
/// (W2) `observed = load word`, both sequentially consistent, then (W3) checks for the news, then sleeps with
/// `futex_wait(word, observed)`, which the kernel refuses if the word no longer equals `observed`.
/// In the single total order of sequentially consistent operations either R2 comes after W1, so the ringer
/// sees a waiter and calls `futex_wake` (and a waiter that had not gone to sleep yet finds the word changed
/// and returns at once), or R2 comes before W1, so R1 precedes W2: W2 reads the incremented word, which
/// synchronises with R1, so the news published before R1 is visible to W3 and the waiter does not sleep.
/// A waiter that dies asleep leaves `waiters` too high; that only costs ringers a needless system call.
struct Doorbell {
    let word: UnsafeAtomic<UInt32>
    let waiters: UnsafeAtomic<UInt32>
    private let futexAddress: UnsafeMutablePointer<UInt32>

    init(segment: SharedSegment, offset: Int) {
        word = segment.atomic32(at: offset)
        waiters = segment.atomic32(at: offset + 4)
        // Only the kernel reads the word through this pointer (futex takes a plain uint32_t *); Swift code
        // touches it only through `word`.
        futexAddress = UnsafeMutablePointer(OpaquePointer(segment.base + offset))
    }

    /// Current value of the word; changes on every `ring()`.
    @inline(__always)
    var value: UInt32 { word.load(ordering: .sequentiallyConsistent) }

    /// Tells sleepers to look again. Call after publishing the news. Does not allocate or lock.
    @inline(__always)
    func ring() {
        word.wrappingIncrement(ordering: .sequentiallyConsistent)
        if waiters.load(ordering: .sequentiallyConsistent) != 0 {
            _ = rb_futex_wake_all(futexAddress)
        }
    }

    /// Sleeps until `isReady()` holds or `deadline` (monotonic nanoseconds) passes.
    ///
    /// `isReady` must read the news with at least acquire ordering. Returns whether `isReady()` held.
    func wait(untilNanos deadline: UInt64, isReady: () -> Bool) -> Bool {
        while true {
            if isReady() { return true }
            waiters.wrappingIncrement(ordering: .sequentiallyConsistent)
            let observed = word.load(ordering: .sequentiallyConsistent)
            if isReady() {
                waiters.wrappingDecrement(ordering: .sequentiallyConsistent)
                return true
            }
            let now = SharedSegment.monotonicNanos()
            guard now < deadline else {
                waiters.wrappingDecrement(ordering: .sequentiallyConsistent)
                return false
            }
            // 0 (woken or the word moved on), ETIMEDOUT or EINTR: all mean "look again"; the deadline check
            // above ends the loop.
            _ = rb_futex_wait_ns(futexAddress, observed, Int64(clamping: deadline - now))
            waiters.wrappingDecrement(ordering: .sequentiallyConsistent)
        }
    }

    /// Monotonic nanoseconds `timeout` from now, saturating at `UInt64.max`; a negative timeout means now.
    static func deadline(after timeout: Duration) -> UInt64 {
        let (deadline, overflow) = SharedSegment.monotonicNanos().addingReportingOverflow(nanoseconds(timeout))
        return overflow ? .max : deadline
    }

    /// `duration` in nanoseconds, 0 when negative, saturating at `UInt64.max`.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let (wholeNanos, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (nanos, overflowed) = wholeNanos.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflowed ? .max : nanos
    }
}
