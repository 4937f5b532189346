/// The order the queue plays in, and which song plays next.
///
/// | Interactivity | Order |
/// |---|---|
/// | `fullControl`, `noControl` | position (the manual order someone with controls sets) |
/// | `upAndDown`, `upvotesOnly` | net votes, highest first; equal votes by position |
///
/// With ``Fairness/roundRobin`` in a voting level, equal votes are settled by turns instead of position:
/// the song whose requester has had the fewest songs played in the last hour goes first (then position).
/// The order is what would play if nothing changed: each song placed counts as a play of its requester
/// for the songs after it, so three songs from Ann and one from Bob at equal votes play Ann, Bob, Ann,
/// Ann when both start with no plays. Songs the box added (no requester) come after every guest's song
/// of equal votes. The positional levels ignore fairness: there the order is what mods arranged.
///
/// Shuffle (``next(in:interactivity:fairness:playsLastHour:shuffle:using:)``) picks the next song at
/// random in the positional levels only; in voting levels the party's votes pick it.
public enum QueueOrder {
    /// Seconds of play log that ``Fairness/roundRobin`` counts turns over: the last hour. Every reader of
    /// the play log for fairness (the party page's order, the engine's next song) uses this window.
    public static let fairnessWindow: Double = 3600

    /// All queued songs in play order.
    ///
    /// - Parameters:
    ///   - items: the queue, in any order.
    ///   - playsLastHour: songs played in the last hour per requester key (from the play log); used only
    ///     with `.roundRobin`.
    /// - Complexity: O(n log n), or O(n²) with `.roundRobin` in a voting level (n is at most
    ///   `maxQueueLength`, and a few hundred in practice).
    public static func playOrder(
        _ items: [QueueItem], interactivity: Interactivity, fairness: Fairness, playsLastHour: [String: Int] = [:]
    ) -> [QueueItem] {
        let byPosition = items.sorted(by: positionPrecedes)
        guard interactivity.ordersByVotes else { return byPosition }
        guard fairness == .roundRobin else {
            return byPosition.sorted { $0.votes != $1.votes ? $0.votes > $1.votes : positionPrecedes($0, $1) }
        }
        var remaining = byPosition
        var plays = playsLastHour
        var order: [QueueItem] = []
        order.reserveCapacity(remaining.count)
        while let index = bestIndex(in: remaining, plays: plays) {
            let item = remaining.remove(at: index)
            if let requester = item.requester { plays[requester, default: 0] += 1 }
            order.append(item)
        }
        return order
    }

    /// The song to play next, or `nil` when the queue is empty.
    ///
    /// - Parameters:
    ///   - shuffle: the playback mode; honoured only where ``Interactivity/honoursShuffle``.
    ///   - generator: the randomness for shuffle (a seeded generator in tests).
    public static func next(
        in items: [QueueItem], interactivity: Interactivity, fairness: Fairness, playsLastHour: [String: Int] = [:],
        shuffle: Bool, using generator: inout some RandomNumberGenerator
    ) -> QueueItem? {
        if shuffle, interactivity.honoursShuffle {
            return items.sorted(by: positionPrecedes).randomElement(using: &generator)
        }
        guard interactivity.ordersByVotes else { return items.min(by: positionPrecedes) }
        if fairness == .roundRobin {
            return bestIndex(in: items, plays: playsLastHour).map { items[$0] }
        }
        return items.min { $0.votes != $1.votes ? $0.votes > $1.votes : positionPrecedes($0, $1) }
    }

    /// Position order; ids break ties between rows that (wrongly) share a position.
    static func positionPrecedes(_ lhs: QueueItem, _ rhs: QueueItem) -> Bool {
        lhs.position != rhs.position ? lhs.position < rhs.position : lhs.id < rhs.id
    }

    /// Index of the song that goes first under round robin: most votes, then fewest plays of its
    /// requester (no requester: after everybody), then position.
    private static func bestIndex(in items: [QueueItem], plays: [String: Int]) -> Int? {
        func turns(_ item: QueueItem) -> Int { item.requester.map { plays[$0, default: 0] } ?? Int.max }
        return items.indices.min { lhs, rhs in
            let a = items[lhs]
            let b = items[rhs]
            if a.votes != b.votes { return a.votes > b.votes }
            let turnsA = turns(a)
            let turnsB = turns(b)
            if turnsA != turnsB { return turnsA < turnsB }
            return positionPrecedes(a, b)
        }
    }
}
