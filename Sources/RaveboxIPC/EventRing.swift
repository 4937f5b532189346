import Atomics

/// Discrete engine events (song started, finished, failed with a reason) from the engine to the web process.
///
/// A single-producer/single-consumer ring of `capacity` fixed-size records in the shared segment: the engine
/// is the only producer, the web process the only consumer; within a process, calls to `push` must not
/// overlap, nor calls to `pop`. When the web process does not keep up, the ring refuses new events and counts
/// them in `droppedCount` rather than blocking the engine; the events are in SQLite too, so the web process
/// re-reads the current song when it sees drops.
///
/// Every `push` rings the change doorbell, waking `SharedSegment.waitForChange(after:timeout:)`.
public struct EventRing: Sendable {
    /// Events the ring holds before it refuses new ones.
    public static let capacity = 256

    let segment: SharedSegment

    init(segment: SharedSegment) {
        self.segment = segment
    }

    private var indices: RingIndices { RingIndices(segment: segment, layout: SegmentLayout.eventRing) }

    /// Appends `event`, its reason cut to `EngineEvent.reasonCapacity` UTF-8 bytes on a character (grapheme)
    /// boundary. Engine side.
    ///
    /// Does not allocate or lock. Returns false, and counts the event in `droppedCount`, when the ring is full.
    @discardableResult
    public func push(_ event: EngineEvent) -> Bool {
        segment.eventProducer.enter()
        defer { segment.eventProducer.leave() }
        let ring = indices
        guard let (position, slot) = ring.reserve() else {
            ring.dropped.store(ring.dropped.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            return false
        }
        let reasonLength = Self.encode(event.reason, into: slot + 16)
        slot.storeBytes(of: event.kind.rawValue, toByteOffset: 0, as: UInt16.self)
        slot.storeBytes(of: UInt16(reasonLength), toByteOffset: 2, as: UInt16.self)
        slot.storeBytes(of: event.songID, toByteOffset: 8, as: Int64.self)
        ring.publish(position)
        segment.changeBell.ring()
        return true
    }

    /// Removes and returns the oldest event, or nil when there is none. Web side.
    ///
    /// Allocates only the reason string (reasons over 15 UTF-8 bytes). A record with an unknown kind is
    /// skipped and counted in `corruptCount`.
    public func pop() -> EngineEvent? {
        segment.eventConsumer.enter()
        defer { segment.eventConsumer.leave() }
        let ring = indices
        while let (position, slot) = ring.peek() {
            let kind = EngineEventKind(rawValue: slot.load(fromByteOffset: 0, as: UInt16.self))
            let length = min(Int(slot.load(fromByteOffset: 2, as: UInt16.self)), EngineEvent.reasonCapacity)
            let songID = slot.load(fromByteOffset: 8, as: Int64.self)
            let reason = String(
                decoding: UnsafeRawBufferPointer(start: slot + 16, count: length), as: UTF8.self)
            ring.release(position)
            guard let kind else {
                ring.corrupt.wrappingIncrement(ordering: .relaxed)
                continue
            }
            return EngineEvent(kind: kind, songID: songID, reason: reason)
        }
        return nil
    }

    /// Events pushed and not yet popped.
    public var count: Int { indices.count }

    /// Events refused because the ring was full, since the segment was created.
    public var droppedCount: UInt64 { indices.dropped.load(ordering: .relaxed) }

    /// Records the web process skipped because it could not decode them; anything but 0 is a bug.
    public var corruptCount: UInt64 { indices.corrupt.load(ordering: .relaxed) }

    /// Number of leading UTF-8 bytes of `reason` that fit in `capacity` bytes without splitting a character
    /// (an extended grapheme cluster, so "👨‍👩‍👧" or "é" written as e + accent is kept whole or left out).
    static func truncatedLength(of reason: String, capacity: Int = EngineEvent.reasonCapacity) -> Int {
        let utf8 = reason.utf8
        if utf8.count <= capacity { return utf8.count }
        var fitting = 0
        var index = reason.startIndex
        while index < reason.endIndex {
            let next = reason.index(after: index)
            let end = utf8.distance(from: utf8.startIndex, to: next)
            if end > capacity { break }
            fitting = end
            index = next
        }
        return fitting
    }

    /// Writes the truncated UTF-8 bytes of `reason` at `destination`; returns how many.
    private static func encode(_ reason: String, into destination: UnsafeMutableRawPointer) -> Int {
        let length = truncatedLength(of: reason)
        var written = 0
        for byte in reason.utf8 {
            if written == length { break }
            destination.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
            written += 1
        }
        return written
    }
}

extension SharedSegment {
    /// The engine → web event ring.
    public var events: EventRing { EventRing(segment: self) }
}
