/// What the status LED shows, as an on/off schedule that repeats: a pure function of time, so the engine sets the
/// LED from its loop (``isOn(at:)``, waking at ``nextChange(after:)``) and tests check the patterns directly.
///
/// The four patterns differ in rhythm, not just speed, so they can be told apart from across a room:
///
/// | state | pattern |
/// |---|---|
/// | ``booting`` | fast even blink: 125 ms on, 125 ms off |
/// | ``ready`` | steady on |
/// | ``hotspot`` | on, with a short "wink" off: 1.8 s on, 0.2 s off |
/// | ``error`` | three short flashes, then a pause: 150 ms on, 150 ms off, three times, then 1.1 s more off (2 s cycle) |
public enum StatusLEDPattern: String, Sendable, CaseIterable, Codable {
    static let nanosecondsPerMillisecond: UInt64 = 1_000_000

    /// The box is starting: engine, web server and hotspot are not all up yet.
    case booting
    /// Ready to play; guests can join over the home network.
    case ready
    /// Ready, and the box's own Wi-Fi hotspot is up for guests.
    case hotspot
    /// Something needs attention (no audio device, a crashed process, a full disk): see the logs.
    case error

    /// One cycle of the pattern: (milliseconds, LED on) in order.
    public var segments: [(milliseconds: UInt64, on: Bool)] {
        switch self {
        case .booting: [(125, true), (125, false)]
        case .ready: [(1000, true)]
        case .hotspot: [(1800, true), (200, false)]
        case .error: [(150, true), (150, false), (150, true), (150, false), (150, true), (1250, false)]
        }
    }

    /// Length of one cycle, in nanoseconds.
    public var period: UInt64 { segments.reduce(0) { $0 + $1.milliseconds } * Self.nanosecondsPerMillisecond }

    /// Whether the LED is on at `nanoseconds` after the pattern started.
    public func isOn(at nanoseconds: UInt64) -> Bool {
        var offset = nanoseconds % period
        for segment in segments {
            let length = segment.milliseconds * Self.nanosecondsPerMillisecond
            if offset < length { return segment.on }
            offset -= length
        }
        return segments[segments.count - 1].on
    }

    /// The next time after `nanoseconds` at which ``isOn(at:)`` changes; `nil` for a steady pattern.
    public func nextChange(after nanoseconds: UInt64) -> UInt64? {
        guard Set(segments.map(\.on)).count > 1 else { return nil }
        let cycleStart = nanoseconds - nanoseconds % period
        let current = isOn(at: nanoseconds)
        var boundary = cycleStart
        for _ in 0..<2 {
            for segment in segments {
                let start = boundary
                boundary += segment.milliseconds * Self.nanosecondsPerMillisecond
                if start > nanoseconds, segment.on != current { return start }
            }
        }
        return nil
    }
}
