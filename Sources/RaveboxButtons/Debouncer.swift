/// Software debounce for button lines: a level counts only once it has held for ``window``.
///
/// A mechanical button's contacts bounce for a few milliseconds when pressed or released, so the kernel reports a
/// burst of edges for one press. This debouncer waits until a line has stayed at a new level for `window` and then
/// reports one ``LineEvent`` stamped with the time of the *last* edge of the burst (when the level settled). Spikes
/// shorter than the window are dropped. Rotary encoder lines do not go through it: ``RotaryDecoder`` tolerates
/// bounce by itself and a fast spin has edges closer together than any useful window.
///
/// The kernel can debounce too (libgpiod v2's `debounce_period_us`); both together are harmless.
///
/// ```swift
/// var debouncer = Debouncer(window: 20_000_000, initialLevels: [17: true])
/// var settled = debouncer.handle(LineEvent(17, 0, at: 1_000_000))  // [] — not settled yet
/// settled += debouncer.advance(to: 21_000_000)  // [line 17 low at 1_000_000 ns]
/// ```
public struct Debouncer: Sendable {
    /// How long a level must hold before it counts, in nanoseconds (0 = every edge counts).
    public let window: UInt64

    private struct Line {
        var settled: Bool
        var latest: Bool
        var latestSince: UInt64
    }

    private var lines: [UInt32: Line] = [:]

    /// A debouncer for lines starting at `initialLevels` (`true` = high). A line it has not been told about is
    /// taken to have been at the opposite level of its first edge.
    public init(window: UInt64 = 20 * 1_000_000, initialLevels: [UInt32: Bool] = [:]) {
        self.window = window
        for (line, level) in initialLevels {
            lines[line] = Line(settled: level, latest: level, latestSince: 0)
        }
    }

    /// The settled level of `line`, if known.
    public func level(of line: UInt32) -> Bool? { lines[line]?.settled }

    /// Takes one raw edge; returns the lines that settled up to its time (oldest first), including this one when
    /// ``window`` is 0. Events must come in time order.
    public mutating func handle(_ event: LineEvent) -> [LineEvent] {
        var settled = advance(to: event.nanoseconds)
        var line = lines[event.line] ?? Line(settled: !event.high, latest: !event.high, latestSince: 0)
        if line.latest != event.high {
            line.latest = event.high
            line.latestSince = event.nanoseconds
        }
        lines[event.line] = line
        settled += advance(to: event.nanoseconds)
        return settled
    }

    /// Reports the lines whose new level has held for ``window`` by `now`, oldest first.
    public mutating func advance(to now: UInt64) -> [LineEvent] {
        var settled: [LineEvent] = []
        for (offset, line) in lines where line.latest != line.settled && now >= line.latestSince &+ window {
            lines[offset]?.settled = line.latest
            settled.append(LineEvent(line: offset, high: line.latest, nanoseconds: line.latestSince))
        }
        return settled.sorted { ($0.nanoseconds, $0.line) < ($1.nanoseconds, $1.line) }
    }

    /// When the next line settles if nothing else happens; `nil` when no line is bouncing.
    public var nextDeadline: UInt64? {
        lines.values.filter { $0.latest != $0.settled }.map { $0.latestSince &+ window }.min()
    }
}
