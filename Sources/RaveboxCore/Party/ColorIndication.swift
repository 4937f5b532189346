/// Who sees which guest voted how (setting `colorIndication`): each voter's coloured thumb next to a song.
///
/// The live state carries the colours for everybody; the page decides from the viewer's privilege whether
/// to draw them, as in Raveberry 0.11.2 (reference §4.8). Off (`nobody`) by default: votes stay anonymous
/// unless the admin decides otherwise.
public enum ColorIndication: String, Sendable, Codable, CaseIterable {
    case everybody
    case modAndAdmin
    case adminOnly
    case nobody

    /// Whether a viewer with `privilege` sees the voters' colours.
    public func isVisible(to privilege: Privilege) -> Bool {
        switch self {
        case .everybody: true
        case .modAndAdmin: privilege >= .mod
        case .adminOnly: privilege == .admin
        case .nobody: false
        }
    }
}
