/// Which GPIO line is which control, and which gesture does what: the `buttons` section of ravebox.yaml.
///
/// ```yaml
/// buttons:
///   chip: /dev/gpiochip0
///   lines: {play_pause: 17, skip: 27, vote_up: 22, alarm: 16, power: 26}
///   encoder: {a: 5, b: 6, steps: full}
///   bindings:
///     press play_pause: play_pause
///     long power: shutdown
///     chord play_pause+skip: show_join_qr 30
///   status_led: {onboard: PWR}
/// ```
///
/// Every key is optional; a missing one keeps ``default``'s value (so `bindings`, when given, replaces the whole
/// table). Line numbers are offsets on `chip`: on the Raspberry Pi's header chip, the BCM GPIO numbers.
/// Buttons connect their line to ground; the lines are requested with the internal pull-up.
public struct ButtonMapping: Sendable, Equatable, Codable {
    /// The quadrature encoder's two contacts (its common pin goes to ground).
    public struct RotaryEncoder: Sendable, Equatable, Codable {
        /// Line offsets of the A and B contacts.
        public var a: UInt32
        public var b: UInt32
        /// Edges per detent.
        public var steps: RotaryDecoder.Resolution
        /// Count the other way round (the same as swapping `a` and `b`).
        public var reversed: Bool

        /// An encoder on lines `a` and `b`.
        public init(a: UInt32, b: UInt32, steps: RotaryDecoder.Resolution = .full, reversed: Bool = false) {
            self.a = a
            self.b = b
            self.steps = steps
            self.reversed = reversed
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            a = try container.decode(UInt32.self, forKey: .a)
            b = try container.decode(UInt32.self, forKey: .b)
            steps = try container.decodeIfPresent(RotaryDecoder.Resolution.self, forKey: .steps) ?? .full
            reversed = try container.decodeIfPresent(Bool.self, forKey: .reversed) ?? false
        }
    }

    /// The status LED: a GPIO line (LED to ground through a resistor, driven high = on) or one of the board's
    /// LEDs under /sys/class/leds.
    public enum StatusLED: Sendable, Equatable, Codable {
        /// An LED on this line of ``ButtonMapping/chip``.
        case gpio(line: UInt32)
        /// An LED the kernel exposes as /sys/class/leds/`name` ("PWR", the Pi's red LED; the lights may use "ACT").
        case onboard(name: String)

        private enum CodingKeys: String, CodingKey { case gpio, onboard }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let line = try container.decodeIfPresent(UInt32.self, forKey: .gpio) {
                self = .gpio(line: line)
            } else if let name = try container.decodeIfPresent(String.self, forKey: .onboard) {
                self = .onboard(name: name)
            } else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "status_led needs gpio: <line> or onboard: <LED name such as PWR>"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .gpio(let line): try container.encode(line, forKey: .gpio)
            case .onboard(let name): try container.encode(name, forKey: .onboard)
            }
        }
    }

    /// The GPIO character device, e.g. `/dev/gpiochip0` (the Pi's header on Pi 1–4 and, with current kernels, 5).
    public var chip: String
    /// The line each button is on; a button without a line is not fitted.
    public var lines: [BoxButton: UInt32]
    /// The volume encoder, if fitted.
    public var encoder: RotaryEncoder?
    /// Buttons pull their line low when pressed (to ground, with the pull-up).
    public var activeLow: Bool
    /// Software debounce window, and the kernel's where it has one (libgpiod v2), in milliseconds.
    public var debounceMilliseconds: Int
    /// Hold time for a long press or a chord, in milliseconds (the issue: 1500).
    public var longPressMilliseconds: Int
    /// Longest gap between the two presses of a double press, in milliseconds.
    public var doublePressMilliseconds: Int
    /// What each gesture does; gestures not listed do nothing. The encoder always sets the volume.
    public var bindings: [Gesture: ButtonAction]
    /// The status LED, if any.
    public var statusLED: StatusLED?

    /// A mapping; every argument defaults to ``default``'s value.
    public init(
        chip: String = "/dev/gpiochip0", lines: [BoxButton: UInt32] = ButtonMapping.defaultLines,
        encoder: RotaryEncoder? = RotaryEncoder(a: 5, b: 6), activeLow: Bool = true, debounceMilliseconds: Int = 20,
        longPressMilliseconds: Int = 1500, doublePressMilliseconds: Int = 350,
        bindings: [Gesture: ButtonAction] = ButtonMapping.defaultBindings,
        statusLED: StatusLED? = .onboard(name: "PWR")
    ) {
        self.chip = chip
        self.lines = lines
        self.encoder = encoder
        self.activeLow = activeLow
        self.debounceMilliseconds = debounceMilliseconds
        self.longPressMilliseconds = longPressMilliseconds
        self.doublePressMilliseconds = doublePressMilliseconds
        self.bindings = bindings
        self.statusLED = statusLED
    }

    /// The default box: play/pause on GPIO 17, skip 27, vote up 22, the alarm on 16 (Raveberry's buzzer
    /// pin), power on 26 (GPIO 3 could also wake a halted Pi but is I2C's SCL, which the PCA9685 lights use), the
    /// encoder on 5/6, the status LED on the Pi's red PWR LED.
    public static let `default` = ButtonMapping()

    /// Default lines (BCM numbers on the Pi's header chip).
    public static let defaultLines: [BoxButton: UInt32] = [
        .playPause: 17, .skip: 27, .voteUp: 22, .alarm: 16, .power: 26,
    ]

    /// The default gestures: a press of play/pause, skip, vote up or alarm does that; a long press of power
    /// shuts down cleanly; play/pause + skip held together shows the join QR code for 30 s.
    public static let defaultBindings: [Gesture: ButtonAction] = [
        .press(.playPause): .playPause,
        .press(.skip): .skip,
        .press(.voteUp): .voteUp,
        .press(.alarm): .alarm,
        .longPress(.power): .shutdown,
        .chord([.playPause, .skip]): .showJoinQR(seconds: 30),
    ]

    /// What `gesture` does, if anything.
    public func action(for gesture: Gesture) -> ButtonAction? { bindings[gesture] }

    /// Which line is which button, for ``GestureDecoder``.
    public var buttonsByLine: [UInt32: BoxButton] {
        Dictionary(lines.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// The buttons that have a double press bound (their single press waits for the double-press gap).
    public var doublePressButtons: Set<BoxButton> {
        Set(
            bindings.keys.compactMap {
                if case .doublePress(let button) = $0 { button } else { nil }
            })
    }

    /// Every input line to request: the buttons', then the encoder's.
    public var inputLines: [UInt32] {
        lines.values.sorted() + (encoder.map { [$0.a, $0.b] } ?? [])
    }

    /// Checks that no line is used twice, that bindings name fitted buttons and that the times make sense.
    public func validate() throws(ButtonMappingError) {
        if lines.isEmpty && encoder == nil {
            throw .nothingFitted
        }
        var owners: [UInt32: String] = [:]
        func claim(_ line: UInt32, _ owner: String) throws(ButtonMappingError) {
            if let other = owners[line] {
                throw .lineUsedTwice(line: line, first: other, second: owner)
            }
            owners[line] = owner
        }
        let order = BoxButton.allCases
        let byLine = lines.sorted {
            ($0.value, order.firstIndex(of: $0.key) ?? 0) < ($1.value, order.firstIndex(of: $1.key) ?? 0)
        }
        for (button, line) in byLine {
            try claim(line, button.configName)
        }
        if let encoder {
            try claim(encoder.a, "encoder a")
            try claim(encoder.b, "encoder b")
        }
        if case .gpio(let line) = statusLED {
            try claim(line, "status_led")
        }
        for gesture in bindings.keys.sorted(by: { $0.description < $1.description }) {
            let buttons: Set<BoxButton> =
                switch gesture {
                case .press(let button), .longPress(let button), .doublePress(let button): [button]
                case .chord(let buttons): buttons
                }
            if let missing = buttons.first(where: { lines[$0] == nil }) {
                throw .unfittedButton(gesture: gesture.description, button: missing.configName)
            }
        }
        if !(0...1000).contains(debounceMilliseconds) {
            throw .outOfRange(key: "debounce_ms", value: debounceMilliseconds, accepted: "0 to 1000")
        }
        if !(100...60_000).contains(longPressMilliseconds) {
            throw .outOfRange(key: "long_press_ms", value: longPressMilliseconds, accepted: "100 to 60000")
        }
        if !(50...2000).contains(doublePressMilliseconds) {
            throw .outOfRange(key: "double_press_ms", value: doublePressMilliseconds, accepted: "50 to 2000")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case chip, lines, encoder, bindings
        case activeLow = "active_low"
        case debounceMilliseconds = "debounce_ms"
        case longPressMilliseconds = "long_press_ms"
        case doublePressMilliseconds = "double_press_ms"
        case statusLED = "status_led"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var mapping = ButtonMapping.default
        if let chip = try container.decodeIfPresent(String.self, forKey: .chip) { mapping.chip = chip }
        if let names = try container.decodeIfPresent([String: UInt32].self, forKey: .lines) {
            var lines: [BoxButton: UInt32] = [:]
            for (name, line) in names {
                guard let button = BoxButton(configName: name) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .lines, in: container,
                        debugDescription: "unknown button \"\(name)\"; buttons are "
                            + BoxButton.allCases.map(\.configName).joined(separator: ", "))
                }
                lines[button] = line
            }
            mapping.lines = lines
        }
        if container.contains(.encoder) {
            mapping.encoder =
                try container.decodeNil(forKey: .encoder)
                ? nil : container.decode(RotaryEncoder.self, forKey: .encoder)
        }
        if let value = try container.decodeIfPresent(Bool.self, forKey: .activeLow) { mapping.activeLow = value }
        if let value = try container.decodeIfPresent(Int.self, forKey: .debounceMilliseconds) {
            mapping.debounceMilliseconds = value
        }
        if let value = try container.decodeIfPresent(Int.self, forKey: .longPressMilliseconds) {
            mapping.longPressMilliseconds = value
        }
        if let value = try container.decodeIfPresent(Int.self, forKey: .doublePressMilliseconds) {
            mapping.doublePressMilliseconds = value
        }
        if let texts = try container.decodeIfPresent([String: String].self, forKey: .bindings) {
            var bindings: [Gesture: ButtonAction] = [:]
            for (gestureText, actionText) in texts {
                guard let gesture = Gesture(configText: gestureText) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .bindings, in: container,
                        debugDescription: "unknown gesture \"\(gestureText)\"; write press|long|double <button> "
                            + "or chord <button>+<button>")
                }
                guard let action = ButtonAction(configText: actionText) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .bindings, in: container,
                        debugDescription: "unknown action \"\(actionText)\" for \"\(gestureText)\"; actions are "
                            + "play_pause, skip, vote_up, alarm, shutdown, show_join_qr <seconds>, volume <steps>")
                }
                bindings[gesture] = action
            }
            mapping.bindings = bindings
        }
        if container.contains(.statusLED) {
            mapping.statusLED =
                try container.decodeNil(forKey: .statusLED)
                ? nil : container.decode(StatusLED.self, forKey: .statusLED)
        }
        self = mapping
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chip, forKey: .chip)
        try container.encode(
            Dictionary(uniqueKeysWithValues: lines.map { ($0.key.configName, $0.value) }), forKey: .lines)
        try container.encode(self.encoder, forKey: .encoder)
        try container.encode(activeLow, forKey: .activeLow)
        try container.encode(debounceMilliseconds, forKey: .debounceMilliseconds)
        try container.encode(longPressMilliseconds, forKey: .longPressMilliseconds)
        try container.encode(doublePressMilliseconds, forKey: .doublePressMilliseconds)
        try container.encode(
            Dictionary(uniqueKeysWithValues: bindings.map { ($0.key.description, $0.value.description) }),
            forKey: .bindings)
        try container.encode(statusLED, forKey: .statusLED)
    }
}

/// Why a ``ButtonMapping`` cannot be used, naming the ravebox.yaml key to fix.
public enum ButtonMappingError: Error, Equatable, CustomStringConvertible {
    /// Two controls on one line.
    case lineUsedTwice(line: UInt32, first: String, second: String)
    /// A binding names a button that has no line.
    case unfittedButton(gesture: String, button: String)
    /// A time outside what works.
    case outOfRange(key: String, value: Int, accepted: String)
    /// Neither buttons nor an encoder: nothing to request.
    case nothingFitted

    public var description: String {
        switch self {
        case .lineUsedTwice(let line, let first, let second):
            "buttons: GPIO line \(line) is given to both \(first) and \(second); give each its own line"
        case .unfittedButton(let gesture, let button):
            "buttons.bindings: \"\(gesture)\" uses \(button), which has no line in buttons.lines"
        case .outOfRange(let key, let value, let accepted):
            "buttons.\(key) is \(value); accepted: \(accepted)"
        case .nothingFitted:
            "buttons: no lines and no encoder are given; leave the buttons section out to run without buttons"
        }
    }
}
