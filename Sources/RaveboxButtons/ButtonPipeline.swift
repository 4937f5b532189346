/// The whole decoding path from line edges to ``ButtonAction``s, without any I/O: button lines go through the
/// ``Debouncer`` and the ``GestureDecoder``, encoder lines through the ``RotaryDecoder``, and the gestures through
/// the ``ButtonMapping``'s bindings.
///
/// ``GPIOButtons`` feeds it the kernel's edge events; ``RecordedButtons`` and tests feed it a timeline.
///
/// ```swift
/// var pipeline = ButtonPipeline(mapping: .default)
/// pipeline.handle(LineEvent(17, 0, at: 0))                 // []
/// pipeline.handle(LineEvent(17, 1, at: 150_000_000))       // []: release still settling
/// pipeline.advance(to: 200_000_000)                        // [.playPause]
/// ```
public struct ButtonPipeline: Sendable {
    /// The mapping the pipeline was built from.
    public let mapping: ButtonMapping
    private var debouncer: Debouncer
    private var gestures: GestureDecoder
    private var encoder: RotaryDecoder?

    /// A pipeline for `mapping`, with the lines' levels when they were requested (`true` = high; missing lines are
    /// taken to be at rest: released buttons, encoder in a detent).
    public init(mapping: ButtonMapping, initialLevels: [UInt32: Bool] = [:]) {
        self.mapping = mapping
        let released = mapping.activeLow  // active-low buttons rest high
        var buttonLevels: [UInt32: Bool] = [:]
        for line in mapping.lines.values { buttonLevels[line] = initialLevels[line] ?? released }
        debouncer = Debouncer(
            window: UInt64(max(0, mapping.debounceMilliseconds)) * nanosecondsPerMillisecond,
            initialLevels: buttonLevels)
        gestures = GestureDecoder(
            buttons: mapping.buttonsByLine, activeLow: mapping.activeLow,
            doublePressButtons: mapping.doublePressButtons,
            timing: GestureDecoder.Timing(
                longPress: UInt64(max(0, mapping.longPressMilliseconds)) * nanosecondsPerMillisecond,
                doublePressGap: UInt64(max(0, mapping.doublePressMilliseconds)) * nanosecondsPerMillisecond))
        if let pins = mapping.encoder {
            let (lineA, lineB) = pins.reversed ? (pins.b, pins.a) : (pins.a, pins.b)
            encoder = RotaryDecoder(
                lineA: lineA, lineB: lineB, resolution: pins.steps, restLevel: true,
                a: initialLevels[lineA] ?? true, b: initialLevels[lineB] ?? true)
        }
    }

    /// Takes one edge (in time order); returns the actions it and the time up to it complete.
    public mutating func handle(_ event: LineEvent) -> [ButtonAction] {
        var actions: [ButtonAction] = []
        if let encoder, event.line == encoder.lineA || event.line == encoder.lineB {
            actions += advance(to: event.nanoseconds)
            let steps = self.encoder?.handle(event) ?? 0
            if steps != 0 { actions.append(.volume(steps: steps)) }
            return Self.merged(actions)
        }
        var settled: [LineEvent] = []
        settled = debouncer.handle(event)
        for line in settled { actions += bound(gestures.handle(line)) }
        actions += bound(gestures.advance(to: settledHorizon(event.nanoseconds)))
        return Self.merged(actions)
    }

    /// Takes a batch of edges read together (in time order); adjacent volume steps in it become one action, so a
    /// fast spin read in one go is one volume change.
    public mutating func handle(_ events: some Sequence<LineEvent>) -> [ButtonAction] {
        var actions: [ButtonAction] = []
        for event in events { actions += handle(event) }
        return Self.merged(actions)
    }

    /// Reports what became due by `now` with no further edge: settled releases, long presses, chords,
    /// single presses whose double-press gap ran out.
    public mutating func advance(to now: UInt64) -> [ButtonAction] {
        var actions: [ButtonAction] = []
        for line in debouncer.advance(to: now) { actions += bound(gestures.handle(line)) }
        actions += bound(gestures.advance(to: settledHorizon(now)))
        return Self.merged(actions)
    }

    /// When ``advance(to:)`` next has something to do if no edge comes first; `nil` when nothing is pending.
    public var nextDeadline: UInt64? {
        let gestureDeadline = gestures.nextDeadline.map { $0 &+ debouncer.window }
        return [debouncer.nextDeadline, gestureDeadline].compactMap { $0 }.min()
    }

    /// The gesture decoder runs one debounce window behind: by then every edge before that time has settled, so it
    /// never fires a long press that a release still settling would have prevented.
    private func settledHorizon(_ now: UInt64) -> UInt64 {
        now >= debouncer.window ? now - debouncer.window : 0
    }

    private func bound(_ gestures: [Gesture]) -> [ButtonAction] {
        gestures.compactMap { mapping.action(for: $0) }
    }

    /// Adjacent volume steps become one action, so a fast spin is one volume change.
    static func merged(_ actions: [ButtonAction]) -> [ButtonAction] {
        var result: [ButtonAction] = []
        for action in actions {
            if case .volume(let steps) = action, case .volume(let previous)? = result.last {
                result[result.count - 1] = .volume(steps: previous + steps)
            } else {
                result.append(action)
            }
        }
        return result.filter { $0 != .volume(steps: 0) }
    }
}
