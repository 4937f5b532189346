/// A physical control on the box.
public enum BoxButton: String, Sendable, CaseIterable, Codable {
    case playPause, skip, voteUp, alarm, power

    /// The button's name in ravebox.yaml (`play_pause`, `vote_up`, ...).
    public var configName: String {
        switch self {
        case .playPause: "play_pause"
        case .skip: "skip"
        case .voteUp: "vote_up"
        case .alarm: "alarm"
        case .power: "power"
        }
    }

    /// The button named `configName` in ravebox.yaml; the Swift spelling (`playPause`) is accepted too.
    public init?(configName: String) {
        guard let button = Self.allCases.first(where: { $0.configName == configName || $0.rawValue == configName })
        else { return nil }
        self = button
    }
}

/// Something that reports what the box's controls ask for: GPIO lines through libgpiod on the box
/// (``GPIOButtons``), a recorded timeline in tests (``RecordedButtons``).
///
/// One thread at a time: the engine's control loop polls it between its other work.
public protocol ButtonSource: AnyObject {
    /// Blocks until the next action or until `timeoutMilliseconds` pass; `nil` on timeout.
    func nextAction(timeoutMilliseconds: Int) throws -> ButtonAction?
}
