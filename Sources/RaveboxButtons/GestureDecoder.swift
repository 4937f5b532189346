/// Turns debounced button edges into ``Gesture``s: press, long press, double press and chords.
///
/// Pure and clock-free: it sees only the events' timestamps and the times passed to ``advance(to:)``, so a test
/// replays a recorded timeline. The rules:
///
/// - A press counts on release, if it was shorter than ``Timing/longPress``.
/// - A button held for ``Timing/longPress`` gives ``Gesture/longPress(_:)`` at that moment, while still held
///   (the power button's shutdown answers without waiting for the release); its release then gives nothing.
/// - Two or more buttons held together for ``Timing/longPress`` (counted from the later press) give one
///   ``Gesture/chord(_:)``; a press that overlapped another button and ended before that gives nothing, so an
///   aborted chord does not also pause the music.
/// - Only for the buttons in `doublePressButtons` (those with a double press bound), a short press waits
///   ``Timing/doublePressGap`` after its release: a second press starting in time makes it a
///   ``Gesture/doublePress(_:)``, else it is a ``Gesture/press(_:)``. Other buttons answer at release.
///
/// ```swift
/// var decoder = GestureDecoder(buttons: [17: .playPause, 27: .skip])
/// decoder.handle(LineEvent(17, 0, at: 0))               // []
/// decoder.handle(LineEvent(17, 1, at: 200_000_000))     // [.press(.playPause)]
/// ```
public struct GestureDecoder: Sendable {
    /// The gesture times, in nanoseconds.
    public struct Timing: Sendable, Equatable {
        /// Hold at least this long for a long press or a chord (the issue: ≥ 1.5 s).
        public var longPress: UInt64
        /// The second press of a double press must start within this long after the first release.
        public var doublePressGap: UInt64

        /// 1.5 s long press, 350 ms double-press gap unless given.
        public init(longPress: UInt64 = 1_500_000_000, doublePressGap: UInt64 = 350_000_000) {
            self.longPress = longPress
            self.doublePressGap = doublePressGap
        }
    }

    private struct ButtonState {
        var pressed = false
        var pressedAt: UInt64 = 0
        /// A long press or chord fired, or the press was cancelled: its release gives nothing.
        var consumed = false
        /// Another button was down during this press.
        var overlapped = false
        /// This press follows a short press within the gap: its release is a double press.
        var isSecondPress = false
        /// Release time of a short press waiting for a possible second press.
        var waitingSince: UInt64?
    }

    /// Which line is which button.
    public let buttons: [UInt32: BoxButton]
    /// A button pulls its line low when pressed (to ground, with the pull-up); `false` = high when pressed.
    public let activeLow: Bool
    /// Buttons whose short press waits to see whether a second one follows.
    public let doublePressButtons: Set<BoxButton>
    /// Long-press and double-press times.
    public let timing: Timing

    private var states: [BoxButton: ButtonState] = [:]

    /// A decoder for the buttons on `buttons`' lines.
    public init(
        buttons: [UInt32: BoxButton], activeLow: Bool = true, doublePressButtons: Set<BoxButton> = [],
        timing: Timing = Timing()
    ) {
        self.buttons = buttons
        self.activeLow = activeLow
        self.doublePressButtons = doublePressButtons
        self.timing = timing
        for button in buttons.values { states[button] = ButtonState() }
    }

    /// Whether `button` is held down now.
    public func isPressed(_ button: BoxButton) -> Bool { states[button]?.pressed ?? false }

    /// Takes one debounced edge (events in time order); returns the gestures completed up to and by it.
    /// Lines that are not buttons are ignored.
    public mutating func handle(_ event: LineEvent) -> [Gesture] {
        var gestures = advance(to: event.nanoseconds)
        guard let button = buttons[event.line] else { return gestures }
        let pressed = event.high != activeLow
        if pressed {
            gestures += press(button, at: event.nanoseconds)
        } else {
            gestures += release(button, at: event.nanoseconds)
        }
        return gestures
    }

    private mutating func press(_ button: BoxButton, at time: UInt64) -> [Gesture] {
        guard var state = states[button], !state.pressed else { return [] }
        var gestures: [Gesture] = []
        // Another button's pending single press is over: this is not its second press.
        for (other, otherState) in states where other != button && otherState.waitingSince != nil {
            states[other]?.waitingSince = nil
            gestures.append(.press(other))
        }
        state.isSecondPress = state.waitingSince != nil
        state.waitingSince = nil
        state.pressed = true
        state.pressedAt = time
        state.consumed = false
        state.overlapped = false
        for (other, otherState) in states where other != button && otherState.pressed {
            states[other]?.overlapped = true
            state.overlapped = true
        }
        states[button] = state
        return gestures
    }

    private mutating func release(_ button: BoxButton, at time: UInt64) -> [Gesture] {
        guard var state = states[button], state.pressed else { return [] }
        state.pressed = false
        defer { states[button] = state }
        if state.consumed || state.overlapped {
            return []
        }
        if state.isSecondPress {
            return [.doublePress(button)]
        }
        if doublePressButtons.contains(button) {
            state.waitingSince = time
            return []
        }
        return [.press(button)]
    }

    /// Reports the gestures whose time came by `now` with no further edge: long presses and chords of buttons
    /// still held, single presses whose double-press gap ran out.
    public mutating func advance(to now: UInt64) -> [Gesture] {
        var gestures: [Gesture] = []
        while let (time, due) = nextDue(), time <= now {
            gestures += fire(due)
        }
        return gestures
    }

    /// When ``advance(to:)`` next has something to report if no edge comes first; `nil` when nothing is pending.
    public var nextDeadline: UInt64? { nextDue()?.time }

    private enum Due {
        case single(BoxButton)
        case held(Set<BoxButton>)
    }

    private func nextDue() -> (time: UInt64, due: Due)? {
        var best: (time: UInt64, due: Due)?
        for (button, state) in states {
            if let since = state.waitingSince {
                let time = since &+ timing.doublePressGap
                if time < best?.time ?? .max { best = (time, .single(button)) }
            }
        }
        let held = states.filter { $0.value.pressed && !$0.value.consumed }
        if let latest = held.values.map(\.pressedAt).max() {
            let time = latest &+ timing.longPress
            if time <= best?.time ?? .max { best = (time, .held(Set(held.keys))) }
        }
        return best
    }

    private mutating func fire(_ due: Due) -> [Gesture] {
        switch due {
        case .single(let button):
            states[button]?.waitingSince = nil
            return [.press(button)]
        case .held(let buttons):
            for button in buttons { states[button]?.consumed = true }
            if buttons.count > 1 {
                return [.chord(buttons)]
            }
            guard let button = buttons.first, let state = states[button], !state.overlapped else { return [] }
            // A long second press: the first press was a press of its own.
            return state.isSecondPress ? [.press(button), .longPress(button)] : [.longPress(button)]
        }
    }
}
