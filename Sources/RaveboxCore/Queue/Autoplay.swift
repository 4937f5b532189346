/// Autoplay's choice of the next library song when the queue runs empty: weighted by how the party voted
/// on each song before, never one played in the last hour.
///
/// Raveberry asked YouTube or Spotify for a related song; the box has only its library, so it leans on
/// the party's own history instead. A song's weight doubles with every net vote it got, within ±4:
///
/// | score | ≤ −4 | −1 | 0 (never voted on) | +1 | ≥ +4 |
/// |---|---|---|---|---|---|
/// | weight | 1 | 8 | 16 | 32 | 256 |
///
/// so a party favourite is 16 times as likely as an unknown song and a song the party disliked is still
/// possible but rare. Weights are integers, so a seeded generator gives the same choice on every platform.
public enum Autoplay {
    /// Seconds after a song last started before autoplay may choose it again (one hour).
    public static let recentWindow: Double = 3600

    /// A library song autoplay may choose.
    public struct Candidate: Sendable, Equatable, Hashable {
        public var songID: Int64
        /// How the party voted on it before: the sum of the net votes it had each time it played (play
        /// log); 0 for a song never played.
        public var score: Int
        /// When it last started playing, Unix time in seconds, or `nil` if never.
        public var lastPlayed: Double?

        public init(songID: Int64, score: Int, lastPlayed: Double?) {
            self.songID = songID
            self.score = score
            self.lastPlayed = lastPlayed
        }
    }

    /// A candidate's weight, 2^(score + 4) with the score clamped to −4...4: 1...256.
    public static func weight(score: Int) -> Int {
        1 << (min(4, max(-4, score)) + 4)
    }

    /// Whether a candidate may be chosen at `now`: not played in the last ``recentWindow`` seconds (a
    /// start in the future, from a clock that went back, counts as recent).
    public static func qualifies(_ candidate: Candidate, now: Double) -> Bool {
        guard let lastPlayed = candidate.lastPlayed else { return true }
        return now - lastPlayed >= recentWindow
    }

    /// Chooses a song, or `nil` when none qualifies.
    ///
    /// - Parameters:
    ///   - candidates: the library songs (all of them, or a sample the store drew).
    ///   - now: Unix time in seconds.
    ///   - excluding: library ids never to choose, e.g. the song playing now.
    ///   - generator: the randomness (a seeded generator in tests).
    public static func choose(
        from candidates: [Candidate], now: Double, excluding: Set<Int64> = [],
        using generator: inout some RandomNumberGenerator
    ) -> Candidate? {
        let eligible = candidates.filter { !excluding.contains($0.songID) && qualifies($0, now: now) }
        let total = eligible.reduce(0) { $0 + weight(score: $1.score) }
        guard total > 0 else { return nil }
        var ticket = Int.random(in: 0..<total, using: &generator)
        for candidate in eligible {
            ticket -= weight(score: candidate.score)
            if ticket < 0 { return candidate }
        }
        return eligible.last
    }
}
