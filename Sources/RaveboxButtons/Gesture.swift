/// What someone did with the buttons, as ``GestureDecoder`` recognises it.
public enum Gesture: Sendable, Hashable, CustomStringConvertible {
    /// Pressed and released before the long-press time, not followed by a second press (when that button has a
    /// double press bound).
    case press(BoxButton)
    /// Held for at least the long-press time (1.5 s by default); reported while still held.
    case longPress(BoxButton)
    /// Pressed twice, the second press starting within the double-press gap after the first release.
    case doublePress(BoxButton)
    /// Two or more buttons held together for the long-press time, e.g. play/pause + skip for the join QR code.
    case chord(Set<BoxButton>)

    /// The gesture as written in ravebox.yaml's `bindings`: `press play_pause`, `long power`, `double skip`,
    /// `chord play_pause+skip`.
    public var description: String {
        switch self {
        case .press(let button): "press \(button.configName)"
        case .longPress(let button): "long \(button.configName)"
        case .doublePress(let button): "double \(button.configName)"
        case .chord(let buttons):
            "chord " + buttons.map(\.configName).sorted().joined(separator: "+")
        }
    }

    /// Parses ``description``'s form; `nil` for anything else.
    public init?(configText text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2 else { return nil }
        let names = words[1].split(separator: "+").map(String.init)
        let buttons = names.compactMap(BoxButton.init(configName:))
        guard buttons.count == names.count, !buttons.isEmpty else { return nil }
        switch (words[0], buttons.count) {
        case ("press", 1): self = .press(buttons[0])
        case ("long", 1): self = .longPress(buttons[0])
        case ("double", 1): self = .doublePress(buttons[0])
        case ("chord", 2...) where Set(buttons).count == buttons.count: self = .chord(Set(buttons))
        default: return nil
        }
    }
}
