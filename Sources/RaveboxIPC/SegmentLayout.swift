/// Byte offsets of everything inside the shared-memory segment.
///
/// All processes compute the same offsets from these constants; any change here (or to a record's encoding in
/// `CommandRing`, `TelemetrySnapshot`) must bump `SharedSegment.layoutVersion`, so that a process
/// from another build refuses the segment instead of misreading it.
///
/// Words written by different processes or threads sit on different `line`-sized blocks so that a producer
/// and a consumer never fight over one cache line. 128 bytes covers the 64-byte lines of the Pi's Cortex-A72/A76
/// and x86, plus the adjacent-line prefetcher of x86 and the 128-byte lines of Apple silicon.
enum SegmentLayout {
    static let line = 128

    // MARK: Header (written once by the creator; `magic` last, with release ordering).

    /// UInt64, atomic.
    static let magicOffset = 0
    /// UInt32.
    static let versionOffset = 8
    /// UInt64: total mapped size in bytes.
    static let totalSizeOffset = 16
    /// Int32: pid of the process that created the segment.
    static let creatorPIDOffset = 24
    static let headerSize = 2 * line

    // MARK: Heartbeats: one line per role, four UInt64 atomics each (seqlock sequence, counter, nanos, pid).

    static let heartbeatSlots = 4
    static let heartbeatsOffset = headerSize
    static let heartbeatStride = line

    // MARK: Change counters: UInt64 atomics, one per ChangeGroup, in one line (bumps are rare).

    static let changeGroupSlots = 8
    static let changeCountersOffset = heartbeatsOffset + heartbeatSlots * heartbeatStride

    // MARK: Doorbells: each line holds a UInt32 futex word and a UInt32 count of sleepers.

    static let commandBellOffset = changeCountersOffset + line
    static let changeBellOffset = commandBellOffset + line
    static let telemetryBellOffset = changeBellOffset + line
    static let bellCount = 3

    // MARK: Rings.

    /// `Command`: kind UInt16 at 0, sequence UInt64 at 8, value (Double bits) at 16.
    static let commandRecordSize = 24
    static let commandRing = RingLayout(
        offset: telemetryBellOffset + line, capacity: CommandRing.capacity, recordSize: commandRecordSize)

    // MARK: Telemetry seqlock: the sequence alone on a line, then the fields, then the bands.

    static let telemetrySequenceOffset = alignUp(commandRing.end, to: line)
    static let telemetryFieldsOffset = telemetrySequenceOffset + line
    static let telemetryFieldCount = 18
    static let telemetryBandsOffset = telemetryFieldsOffset + alignUp(telemetryFieldCount * 8, to: line)
    /// LED preview colours (UInt32 `0x00RRGGBB`), output after output.
    static let telemetryPreviewOffset = telemetryBandsOffset + Telemetry.bandCapacity * 4
    static let end = telemetryPreviewOffset + Telemetry.previewOutputCapacity * Telemetry.previewLEDCapacity * 4

    /// The size of the segment, rounded up to 64 KiB so it is a whole number of pages for any page size the
    /// Pi kernels use (4 KiB and 16 KiB).
    static let totalSize = alignUp(end, to: 64 * 1024)

    static func alignUp(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }
}

/// Where one single-producer/single-consumer ring lives.
///
/// The producer's line holds `head` (records ever pushed) and `dropped` (records refused because the ring was
/// full); the consumer's line holds `tail` (records ever popped) and `corrupt` (records it could not decode).
/// Both indices only grow; a slot is `index % capacity`.
struct RingLayout {
    let offset: Int
    let capacity: Int
    let recordSize: Int

    var headOffset: Int { offset }
    var droppedOffset: Int { offset + 8 }
    var tailOffset: Int { offset + SegmentLayout.line }
    var corruptOffset: Int { offset + SegmentLayout.line + 8 }
    var slotsOffset: Int { offset + 2 * SegmentLayout.line }
    var end: Int { slotsOffset + capacity * recordSize }
}
