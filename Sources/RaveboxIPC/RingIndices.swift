import Atomics

/// The index protocol of `CommandRing`: one producer and one consumer, possibly in
/// different processes, over fixed-size slots in the shared segment.
///
/// `head` counts records ever pushed and is written only by the producer; `tail` counts records ever popped
/// and is written only by the consumer. Both only grow (64 bits do not wrap in the box's lifetime), the ring
/// is empty when they are equal and full when they are `capacity` apart.
///
/// Ordering: the producer fills a slot, then stores `head` with release; the consumer loads `head` with
/// acquire before reading the slot, so it sees the whole record. The consumer reads the slot, then stores
/// `tail` with release; the producer loads `tail` with acquire before reusing the slot, so it never overwrites
/// a record still being read. The slots themselves are plain memory: only one side owns a slot at a time.
///
/// Because the indices live in the segment, a process that restarts carries on where its predecessor
/// stopped. A producer that dies mid-push loses only the record it had not published yet.
struct RingIndices {
    let layout: RingLayout
    let head: UnsafeAtomic<UInt64>
    let tail: UnsafeAtomic<UInt64>
    /// Producer-owned: records refused because the ring was full.
    let dropped: UnsafeAtomic<UInt64>
    /// Consumer-owned: records or index states the consumer could not make sense of (should stay 0).
    let corrupt: UnsafeAtomic<UInt64>
    let slots: UnsafeMutableRawPointer

    init(segment: SharedSegment, layout: RingLayout) {
        precondition(layout.capacity > 0 && layout.capacity & (layout.capacity - 1) == 0)
        self.layout = layout
        head = segment.atomic64(at: layout.headOffset)
        tail = segment.atomic64(at: layout.tailOffset)
        dropped = segment.atomic64(at: layout.droppedOffset)
        corrupt = segment.atomic64(at: layout.corruptOffset)
        slots = segment.base + layout.slotsOffset
    }

    /// Producer: the slot to fill for the next record and its position, or nil when the ring is full.
    @inline(__always)
    func reserve() -> (position: UInt64, slot: UnsafeMutableRawPointer)? {
        let position = head.load(ordering: .relaxed)
        let consumed = tail.load(ordering: .acquiring)
        guard position &- consumed < UInt64(layout.capacity) else { return nil }
        return (position, slot(position))
    }

    /// Producer: makes the record at `position` visible to the consumer.
    @inline(__always)
    func publish(_ position: UInt64) {
        head.store(position &+ 1, ordering: .releasing)
    }

    /// Consumer: the oldest unread record's slot and position, or nil when the ring is empty.
    @inline(__always)
    func peek() -> (position: UInt64, slot: UnsafeMutableRawPointer)? {
        let position = tail.load(ordering: .relaxed)
        let published = head.load(ordering: .acquiring)
        if published == position { return nil }
        guard published &- position <= UInt64(layout.capacity) else {
            // `head` is behind `tail` or more than a ring ahead: not something a correct producer writes.
            // Skip to the producer's position rather than replaying garbage forever, and count it.
            corrupt.wrappingIncrement(ordering: .relaxed)
            tail.store(published, ordering: .releasing)
            return nil
        }
        return (position, slot(position))
    }

    /// Consumer: hands the slot at `position` back to the producer.
    @inline(__always)
    func release(_ position: UInt64) {
        tail.store(position &+ 1, ordering: .releasing)
    }

    /// Records pushed and not yet popped. Exact only from the producer or consumer while the other is idle.
    var count: Int {
        let consumed = tail.load(ordering: .acquiring)
        let published = head.load(ordering: .acquiring)
        return Int(min(published &- consumed, UInt64(layout.capacity)))
    }

    @inline(__always)
    private func slot(_ position: UInt64) -> UnsafeMutableRawPointer {
        slots + Int(position & UInt64(layout.capacity - 1)) * layout.recordSize
    }
}
