import RaveboxButtons

/// Nanoseconds in `value` milliseconds, for writing timelines.
func ms(_ value: Double) -> UInt64 { UInt64(value * 1_000_000) }

/// A recorded timeline: `(line, level, nanoseconds)` per edge.
func timeline(_ entries: [(UInt32, Int, UInt64)]) -> [LineEvent] {
    entries.map { LineEvent($0.0, $0.1, at: $0.2) }
}

/// The edges a bouncing contact makes when `line` goes to `level` at `time`: the new level, then `bounces` times
/// back and forth 0.3 ms apart, ending at the new level.
func bouncing(_ line: UInt32, to level: Int, at time: UInt64, bounces: Int = 3) -> [LineEvent] {
    var events = [LineEvent(line, level, at: time)]
    for bounce in 0..<bounces {
        let base = time + ms(0.6 * Double(bounce))
        events.append(LineEvent(line, 1 - level, at: base + ms(0.3)))
        events.append(LineEvent(line, level, at: base + ms(0.6)))
    }
    return events
}

/// Feeds `events` to a ``GestureDecoder`` and advances it to `end`; returns every gesture.
func gestures(_ decoder: inout GestureDecoder, _ events: [LineEvent], until end: UInt64) -> [Gesture] {
    var result: [Gesture] = []
    for event in events { result += decoder.handle(event) }
    return result + decoder.advance(to: end)
}

/// Feeds `events` to a ``ButtonPipeline`` and advances it to `end`; returns every action.
func actions(_ pipeline: inout ButtonPipeline, _ events: [LineEvent], until end: UInt64) -> [ButtonAction] {
    var result: [ButtonAction] = []
    for event in events { result += pipeline.handle(event) }
    return result + pipeline.advance(to: end)
}
