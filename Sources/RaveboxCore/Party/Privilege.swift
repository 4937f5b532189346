/// Who is asking: an anonymous guest, a mod or the admin. Ordered, so `privilege >= .mod` reads as "a mod
/// or more".
///
/// Guests are everyone with the party's session cookie; `mod` and `admin` log in with a password. Mods run
/// the party (playback and queue controls at every interactivity level); the admin also owns the settings
/// and the queue-wide operations (`removeAll`, `shuffleAll`), as in Raveberry (reference §7.7).
public enum Privilege: String, Sendable, Codable, CaseIterable, Comparable {
    case guest
    case mod
    case admin

    /// Position in the ladder guest < mod < admin.
    private var rank: Int {
        switch self {
        case .guest: 0
        case .mod: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Privilege, rhs: Privilege) -> Bool { lhs.rank < rhs.rank }
}
