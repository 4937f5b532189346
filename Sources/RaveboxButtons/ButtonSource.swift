/// A physical control on the box.
public enum BoxButton: String, Sendable, CaseIterable {
    case playPause, skip, voteUp, alarm, power
}

/// Something that reports button presses: GPIO lines through libgpiod on the box.
public protocol ButtonSource: AnyObject {
    /// Blocks until the next press or until `timeoutMilliseconds` pass; `nil` on timeout.
    func nextPress(timeoutMilliseconds: Int) throws -> BoxButton?
}
