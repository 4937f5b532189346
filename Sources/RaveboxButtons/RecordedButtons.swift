/// A ``ButtonSource`` that replays a recorded timeline of line edges through a ``ButtonPipeline`` on a virtual
/// clock: for tests of whatever consumes button actions, without GPIO hardware.
///
/// Each ``nextAction(timeoutMilliseconds:)`` moves the virtual clock forward to the next edge or deadline, at most
/// `timeoutMilliseconds` ahead, exactly as ``GPIOButtons`` would have seen the same edges in real time.
///
/// ```swift
/// let buttons = RecordedButtons(mapping: .default, events: [LineEvent(26, 0, at: 0), LineEvent(26, 1, at: 2_000_000_000)])
/// try buttons.nextAction(timeoutMilliseconds: 5000)  // .shutdown, at 1.52 s of virtual time
/// ```
public final class RecordedButtons: ButtonSource {
    private var pipeline: ButtonPipeline
    private var events: ArraySlice<LineEvent>
    private var pending: [ButtonAction] = []
    /// The virtual clock, in nanoseconds.
    public private(set) var now: UInt64

    /// A source replaying `events` (in time order) with `mapping`, the clock starting at `start`.
    public init(mapping: ButtonMapping, events: [LineEvent], start: UInt64 = 0) {
        pipeline = ButtonPipeline(mapping: mapping)
        self.events = events[...]
        now = start
    }

    /// The next action within `timeoutMilliseconds` of virtual time; `nil` when none comes by then.
    public func nextAction(timeoutMilliseconds: Int) -> ButtonAction? {
        let end = now &+ UInt64(max(0, timeoutMilliseconds)) * nanosecondsPerMillisecond
        while pending.isEmpty {
            let deadline = pipeline.nextDeadline ?? .max
            if let event = events.first, event.nanoseconds <= min(deadline, end) {
                events.removeFirst()
                now = max(now, event.nanoseconds)
                pending += pipeline.handle(event)
            } else if deadline <= end {
                now = max(now, deadline)
                pending += pipeline.advance(to: now)
            } else {
                now = end
                return nil
            }
        }
        return pending.removeFirst()
    }
}
