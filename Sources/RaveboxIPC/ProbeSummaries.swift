import FoundationEssentials

/// What `IPCProbe.produce` did; printed as one JSON line by `ravebox ipc-probe produce`.
public struct ProduceSummary: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The segment's name.
    public var segment: String
    /// Commands asked for (`--count`).
    public var requested: Int
    /// Commands pushed; less than `requested` only when the producer gave up on a ring that stayed full.
    public var sent: Int
    /// Pushes refused with `IPCError.ringFull` and retried after a short sleep.
    public var ringFullRetries: UInt64
    /// Target rate in commands per second (`--rate`); 0 means as fast as possible.
    public var rate: Double
    /// Seconds from the first push to the last.
    public var elapsedSeconds: Double
    /// `sent / elapsedSeconds`.
    public var commandsPerSecond: Double
    /// True when the ring stayed full for longer than the stall timeout (no consumer) and the producer stopped.
    public var gaveUp: Bool

    /// The summary as one line of JSON with sorted keys.
    public var description: String { jsonLine(self) }
}

/// What `IPCProbe.consume` received; printed as one JSON line by `ravebox ipc-probe consume`.
public struct ConsumeSummary: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The segment's name.
    public var segment: String
    /// Commands expected, with sequences 1...expected (`--count`).
    public var expected: Int
    /// Commands popped, including duplicates and out-of-range sequences.
    public var received: Int
    /// Sequences in 1...expected that never arrived.
    public var lost: Int
    /// Commands that arrived after a command with a higher sequence.
    public var reordered: Int
    /// Commands whose sequence had already arrived.
    public var duplicates: Int
    /// Commands whose sequence was outside 1...expected.
    public var unexpected: Int
    /// Median time from push to pop, in microseconds.
    public var latencyP50Micros: Double
    /// 99th percentile of the time from push to pop, in microseconds.
    public var latencyP99Micros: Double
    /// Longest time from push to pop, in microseconds.
    public var latencyMaxMicros: Double
    /// Commands per second between the first and the last arrival.
    public var commandsPerSecond: Double
    /// Seconds from the start of `consume` to the last arrival (or to the timeout).
    public var elapsedSeconds: Double
    /// True when the consumer stopped because nothing arrived for the idle timeout.
    public var timedOut: Bool

    /// Every expected sequence arrived exactly once, in order, and nothing else arrived.
    public var isPerfect: Bool {
        received == expected && lost == 0 && reordered == 0 && duplicates == 0 && unexpected == 0
    }

    /// The summary as one line of JSON with sorted keys.
    public var description: String { jsonLine(self) }
}

/// What `ravebox ipc-probe create` or `unlink` did, as one JSON line.
public struct SegmentSummary: Codable, Sendable, Equatable, CustomStringConvertible {
    /// "create" or "unlink".
    public var action: String
    /// The segment's name.
    public var segment: String
    /// `SharedSegment.layoutVersion` of this binary.
    public var layoutVersion: UInt32
    /// `SharedSegment.size`, in bytes.
    public var sizeBytes: Int
    /// For "unlink": whether a segment of that name existed and was removed.
    public var removed: Bool?

    /// The summary as one line of JSON with sorted keys.
    public var description: String { jsonLine(self) }
}

private func jsonLine(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}
