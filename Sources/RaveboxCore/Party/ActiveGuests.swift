/// How many guests are at the party right now, and whether that makes it a party.
///
/// A guest is active when they did something in the last 10 minutes (Raveberry's `INACTIVITY_PERIOD`,
/// 600 s): loaded the page, requested a song or voted. The store records one ``Activity`` per such
/// request, keyed by ``Voter/key(session:device:oneVotePerDevice:)``, so two tabs on one phone are one
/// guest when `oneVotePerDevice` is on.
public enum ActiveGuests {
    /// Seconds of inactivity after which a guest no longer counts (600 s, as in Raveberry).
    public static let window: Double = 600

    /// One thing a voter did, and when.
    public struct Activity: Sendable, Equatable {
        /// Voter key (``Voter/key(session:device:oneVotePerDevice:)``).
        public var voter: String
        /// Unix time in seconds.
        public var at: Double

        public init(voter: String, at: Double) {
            self.voter = voter
            self.at = at
        }
    }

    /// Distinct voters with an activity in the last ``window`` seconds before `now` (inclusive).
    ///
    /// Activities stamped after `now` (another process's clock slightly ahead) count as recent.
    ///
    /// - Parameter now: Unix time in seconds.
    public static func count(_ activities: some Sequence<Activity>, now: Double) -> Int {
        var voters = Set<String>()
        for activity in activities where now - activity.at <= window {
            voters.insert(activity.voter)
        }
        return voters.count
    }

    /// Whether the party is in party mode: at least `peopleToParty` active guests. Party mode colours the
    /// logo and allows the random alarm after a song (`alarmProbability`).
    public static func isPartyMode(activeGuests: Int, peopleToParty: Int) -> Bool {
        activeGuests >= peopleToParty
    }
}
