import RaveboxLights

/// Something that lights the status LED: a GPIO line (``GPIOStatusLED``) or one of the board's own LEDs.
public protocol StatusLEDSink: AnyObject {
    /// Turns the LED on or off; writes only when the state changes.
    func set(_ on: Bool) throws
}

extension GPIOStatusLED: StatusLEDSink {}

extension OnboardLED: StatusLEDSink {}

extension StatusLEDPattern {
    /// The pattern for the box's state, worst first: `error` while a process is down or crash-looping, `booting`
    /// until every process has answered once, then `hotspot` or `ready`.
    public init(starting: Bool, failing: Bool, hotspotUp: Bool) {
        if failing {
            self = .error
        } else if starting {
            self = .booting
        } else {
            self = hotspotUp ? .hotspot : .ready
        }
    }
}

/// Shows the box's state on the status LED: call ``show(_:now:)`` often (every 50 ms or so) with the current
/// pattern. A pattern restarts from its beginning when it changes, so a new state is visible at once. A write that
/// fails is reported once through `onFailure` and the LED is left alone from then on.
public final class StatusLight {
    private let sink: StatusLEDSink
    private let onFailure: (any Error) -> Void
    private var pattern: StatusLEDPattern?
    private var patternStart: UInt64 = 0
    private var failed = false

    public init(sink: StatusLEDSink, onFailure: @escaping (any Error) -> Void) {
        self.sink = sink
        self.onFailure = onFailure
    }

    /// The pattern shown now (nil before the first call).
    public var current: StatusLEDPattern? { pattern }

    /// Sets the LED for `newPattern` at `now` (monotonic nanoseconds).
    public func show(_ newPattern: StatusLEDPattern, now: UInt64) {
        guard !failed else { return }
        if newPattern != pattern {
            pattern = newPattern
            patternStart = now
        }
        do {
            try sink.set(newPattern.isOn(at: now - patternStart))
        } catch {
            failed = true
            onFailure(error)
        }
    }
}
