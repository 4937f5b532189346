/// Something a caller wants to do at the party, for the permission check ``authorize(_:at:)``.
///
/// The web process checks every route through this one function, so the table of who may do what lives
/// here and nowhere else:
///
/// | Action | guest | mod | admin |
/// |---|---|---|---|
/// | `request`, `submitHashtag` | always | always | always |
/// | `vote(.up)`, `vote(.none)` | voting levels | voting levels | voting levels |
/// | `vote(.down)` | `upAndDown` | `upAndDown` | `upAndDown` |
/// | `playbackControl`, `queueControl` | `fullControl` | always | always |
/// | `removeAll`, `shuffleAll`, `settings` | never | never | always |
///
/// Votes follow the level for everybody: a mod who wants a song gone removes it instead.
public enum PartyAction: Sendable, Equatable {
    /// Request a song (or a multi-song request) to be queued.
    case request
    /// Set one's vote on a queued or playing song.
    case vote(Vote)
    /// Play, pause, skip, restart, seek, volume, and the playback modes (shuffle, repeat, autoplay).
    case playbackControl
    /// Prioritize, remove or reorder one queued song.
    case queueControl
    /// Empty the whole queue.
    case removeAll
    /// Shuffle the whole queue once, permanently.
    case shuffleAll
    /// Read or change the settings.
    case settings
    /// Submit a hashtag.
    case submitHashtag

    /// Says whether `privilege` may do this at `interactivity`.
    ///
    /// - Throws: ``RuleError/forbidden(_:)`` with the sentence a guest sees.
    public func authorize(_ privilege: Privilege, at interactivity: Interactivity) throws(RuleError) {
        switch self {
        case .request, .submitHashtag:
            return
        case .vote(let vote):
            guard interactivity.acceptsVotes else {
                throw .forbidden("Voting is switched off at this party.")
            }
            if vote == .down, !interactivity.acceptsDownvotes {
                throw .forbidden("Downvotes are switched off at this party.")
            }
        case .playbackControl:
            guard privilege >= .mod || interactivity.guestsHaveControls else {
                throw .forbidden("Only mods and admins can control playback at this party.")
            }
        case .queueControl:
            guard privilege >= .mod || interactivity.guestsHaveControls else {
                throw .forbidden("Only mods and admins can move or remove songs at this party.")
            }
        case .removeAll:
            guard privilege == .admin else { throw .forbidden("Only the admin can empty the whole queue.") }
        case .shuffleAll:
            guard privilege == .admin else { throw .forbidden("Only the admin can shuffle the whole queue.") }
        case .settings:
            guard privilege == .admin else { throw .forbidden("Only the admin can see and change the settings.") }
        }
    }

    /// Whether ``authorize(_:at:)`` would let it through; for deciding which buttons a page shows.
    public func isAllowed(for privilege: Privilege, at interactivity: Interactivity) -> Bool {
        do {
            try authorize(privilege, at: interactivity)
            return true
        } catch {
            return false
        }
    }
}
