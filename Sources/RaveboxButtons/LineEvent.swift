/// A GPIO line changed level: what the kernel reports as an edge event, and what the decoders take.
///
/// Times are nanoseconds of `CLOCK_MONOTONIC`, as the kernel stamps edge events; the decoders never read a clock
/// themselves, so a test feeds them a recorded timeline and asks what they made of it.
public struct LineEvent: Sendable, Hashable, CustomStringConvertible {
    /// The line's offset on its chip (on the Raspberry Pi's header chip, the BCM GPIO number).
    public var line: UInt32
    /// The line's level after the edge: `true` = high (released, for a button to ground with the pull-up).
    public var high: Bool
    /// When the edge happened, in nanoseconds of `CLOCK_MONOTONIC`.
    public var nanoseconds: UInt64

    /// An edge on `line` to `high` at `nanoseconds`.
    public init(line: UInt32, high: Bool, nanoseconds: UInt64) {
        self.line = line
        self.high = high
        self.nanoseconds = nanoseconds
    }

    /// A timeline entry: `LineEvent(17, 0, at: 1_000_000)` is line 17 going low 1 ms in.
    public init(_ line: UInt32, _ level: Int, at nanoseconds: UInt64) {
        self.init(line: line, high: level != 0, nanoseconds: nanoseconds)
    }

    public var description: String { "line \(line) \(high ? "high" : "low") at \(nanoseconds) ns" }
}

/// Nanoseconds per millisecond, for turning configured milliseconds into event times.
let nanosecondsPerMillisecond: UInt64 = 1_000_000
