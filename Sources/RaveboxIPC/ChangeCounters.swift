import Atomics

/// A point in the stream of "something changed" notifications (change counter bumped,
/// the telemetry's playback state, song or volume moved), to wait for anything newer with
/// `SharedSegment.waitForChange(after:timeout:)`; or, from `TelemetrySnapshot.publishToken()`, in the stream of
/// telemetry publishes.
public struct ChangeToken: Sendable, Hashable {
    let value: UInt32
}

extension SharedSegment {
    /// Tells the other processes that tables of `group` changed. Call after the SQLite transaction committed,
    /// never before: a reader woken by the bump must find the new rows.
    ///
    /// Safe from any thread of any process; does not allocate or lock.
    public func bump(_ group: ChangeGroup) {
        changeCounter(group).wrappingIncrement(ordering: .releasing)
        changeBell.ring()
    }

    /// How many times `group` was bumped since the segment was created. Compare with the value seen at the
    /// last read to know whether to re-read the tables.
    public func changeCount(_ group: ChangeGroup) -> UInt64 {
        changeCounter(group).load(ordering: .acquiring)
    }

    /// The current position in the stream of changes. Take it *before* reading the state it guards, so a
    /// change made while you read is not missed.
    public func changeToken() -> ChangeToken {
        ChangeToken(value: changeBell.value)
    }

    /// Sleeps until something changed after `token` (a change counter was bumped, or
    /// the telemetry's playback state, song or volume moved) or `timeout` passes, without polling (a futex).
    /// Position and spectrum updates ring only the telemetry bell (`TelemetrySnapshot.waitForPublish`).
    ///
    /// Returns the token to pass next time; it equals `token` when the wait timed out. Typical loop of the
    /// web process:
    ///
    /// ```swift
    /// var token = segment.changeToken()
    /// while !Task.isCancelled {
    ///     refreshFromCountersEventsAndTelemetry()
    ///     token = segment.waitForChange(after: token, timeout: .seconds(1))
    /// }
    /// ```
    ///
    /// Blocks the calling thread: run it on a dedicated thread, not on the Swift concurrency pool.
    @discardableResult
    public func waitForChange(after token: ChangeToken, timeout: Duration) -> ChangeToken {
        let bell = changeBell
        _ = bell.wait(untilNanos: Doorbell.deadline(after: timeout)) { bell.value != token.value }
        return changeToken()
    }

    var changeBell: Doorbell { Doorbell(segment: self, offset: SegmentLayout.changeBellOffset) }

    private func changeCounter(_ group: ChangeGroup) -> UnsafeAtomic<UInt64> {
        precondition(group.rawValue < SegmentLayout.changeGroupSlots, "no change counter slot for \(group)")
        return atomic64(at: SegmentLayout.changeCountersOffset + group.rawValue * 8)
    }
}
