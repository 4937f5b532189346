/// The queue's manual order and every operation on it, keeping positions 1...n without gaps.
///
/// Raveberry left gaps when a song was voted out and reversed multi-song requests with `enqueue_first`;
/// here every operation leaves `items[i].position == i + 1`. The store loads the queue, runs one
/// operation and writes back ``positionChanges(from:)`` in the same transaction:
///
/// ```swift
/// var queue = SongQueue(rows)
/// let before = queue
/// try queue.reorder(id: 7, after: 3, before: 9)
/// for (id, position) in queue.positionChanges(from: before) { /* UPDATE ... */ }
/// ```
///
/// Play order (which may differ from positions in voting levels) is ``QueueOrder``.
public struct SongQueue: Sendable, Equatable {
    /// The queued songs in position order; `items[i].position == i + 1`.
    public private(set) var items: [QueueItem]

    /// A queue from stored rows in any order. Rows are ordered by position (then id) and renumbered
    /// 1...n, which also repairs gaps a crash or an older version left; a repeated id keeps its first row.
    public init(_ items: some Sequence<QueueItem> = []) {
        var seen = Set<Int64>()
        self.items = items.sorted(by: QueueOrder.positionPrecedes).filter { seen.insert($0.id).inserted }
        renumber()
    }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }

    /// The entry with this id, if queued.
    public func item(id: Int64) -> QueueItem? { items.first { $0.id == id } }

    /// Queued entries of a song (usually none or one).
    public func items(songID: Int64) -> [QueueItem] { items.filter { $0.songID == songID } }

    /// How many queued songs a requester has waiting (for `maxSongsPerGuest`).
    public func count(requestedBy requester: String) -> Int { items.count(where: { $0.requester == requester }) }

    // MARK: Adding

    /// Adds new entries: at the end, or with `first` (the setting `enqueueFirst`) at the top, keeping
    /// their own order there (unlike Raveberry, which reversed a multi-song request). Their positions are
    /// set here; an item whose id is already queued is ignored.
    public mutating func enqueue(_ newItems: [QueueItem], first: Bool) {
        var ids = Set(items.map(\.id))
        let fresh = newItems.filter { ids.insert($0.id).inserted }
        items = first ? fresh + items : items + fresh
        renumber()
    }

    // MARK: Removing

    /// Removes one entry (removed by a mod, voted out, or dequeued to play); later songs move up.
    ///
    /// - Throws: ``RuleError/notFound(_:)`` when it is not queued (any more).
    @discardableResult
    public mutating func remove(id: Int64) throws(RuleError) -> QueueItem {
        let index = try index(of: id)
        let item = items.remove(at: index)
        renumber()
        return item
    }

    /// Empties the queue (admin only) and returns what was in it.
    @discardableResult
    public mutating func removeAll() -> [QueueItem] {
        defer { items = [] }
        return items
    }

    /// Takes the song that plays next out of the queue (see ``QueueOrder/next(in:interactivity:fairness:playsLastHour:shuffle:using:)``).
    public mutating func dequeueNext(
        interactivity: Interactivity, fairness: Fairness, playsLastHour: [String: Int] = [:], shuffle: Bool,
        using generator: inout some RandomNumberGenerator
    ) -> QueueItem? {
        guard
            let next = QueueOrder.next(
                in: items, interactivity: interactivity, fairness: fairness, playsLastHour: playsLastHour,
                shuffle: shuffle, using: &generator)
        else { return nil }
        return try? remove(id: next.id)
    }

    // MARK: Moving

    /// Moves an entry to position 1; the songs before it move down one.
    ///
    /// - Throws: ``RuleError/notFound(_:)`` when it is not queued.
    public mutating func prioritize(id: Int64) throws(RuleError) {
        let index = try index(of: id)
        items.insert(items.remove(at: index), at: 0)
        renumber()
    }

    /// Moves an entry between the two songs a client saw on either side of where it dropped it.
    ///
    /// The neighbours are the ids the client shows directly above (`after`) and below (`before`) the
    /// dropped song, in position order, the moved song itself left out. They must still be neighbours now,
    /// so a client that dragged on a stale queue gets a conflict and reloads instead of putting the song
    /// somewhere nobody intended (Raveberry §4.5, except that dropping a song back where it was works):
    ///
    /// | `after` | `before` | Valid when | Result |
    /// |---|---|---|---|
    /// | nil | nil | it is the only song | unchanged |
    /// | nil | B | B is first of the others | moves to the top |
    /// | A | nil | A is last of the others | moves to the end |
    /// | A | B | B directly follows A among the others | moves between them |
    ///
    /// - Throws: ``RuleError/notFound(_:)`` when the song is not queued; ``RuleError/badRequest(_:)``
    ///   when it is named as its own neighbour; ``RuleError/conflict(_:)`` "The queue changed, reload."
    ///   when the neighbours do not match the queue.
    public mutating func reorder(id: Int64, after: Int64?, before: Int64?) throws(RuleError) {
        let index = try index(of: id)
        guard after != id, before != id else {
            throw .badRequest("A song cannot be its own neighbour.")
        }
        var others = items
        let moving = others.remove(at: index)
        let stale = RuleError.conflict("The queue changed, reload.")
        let insertion: Int
        switch (after, before) {
        case (nil, nil):
            guard others.isEmpty else { throw stale }
            insertion = 0
        case (nil, let before?):
            guard others.first?.id == before else { throw stale }
            insertion = 0
        case (let after?, nil):
            guard others.last?.id == after else { throw stale }
            insertion = others.count
        case (let after?, let before?):
            guard let a = others.firstIndex(where: { $0.id == after }), a + 1 < others.count,
                others[a + 1].id == before
            else { throw stale }
            insertion = a + 1
        }
        others.insert(moving, at: insertion)
        items = others
        renumber()
    }

    /// Shuffles the whole queue once, permanently (admin only; not the `shuffle` playback mode).
    public mutating func shuffleAll(using generator: inout some RandomNumberGenerator) {
        items.shuffle(using: &generator)
        renumber()
    }

    // MARK: Votes

    /// Records an entry's new net votes (after ``Ballots/cast(_:by:)``). Position is untouched; whether the
    /// song stays is ``KickThreshold/outcome(netVotes:isCurrentSong:)``.
    ///
    /// - Throws: ``RuleError/notFound(_:)`` when it is not queued.
    public mutating func setVotes(_ votes: Int, of id: Int64) throws(RuleError) {
        items[try index(of: id)].votes = votes
    }

    // MARK: Order and changes

    /// Play order; see ``QueueOrder/playOrder(_:interactivity:fairness:playsLastHour:)``.
    public func playOrder(
        interactivity: Interactivity, fairness: Fairness, playsLastHour: [String: Int] = [:]
    )
        -> [QueueItem]
    {
        QueueOrder.playOrder(items, interactivity: interactivity, fairness: fairness, playsLastHour: playsLastHour)
    }

    /// Entries still queued whose position differs from `old` (or that are new), by id: the rows the
    /// store has to update.
    public func positionChanges(from old: SongQueue) -> [Int64: Int] {
        var oldPositions: [Int64: Int] = [:]
        for item in old.items { oldPositions[item.id] = item.position }
        var changes: [Int64: Int] = [:]
        for item in items where oldPositions[item.id] != item.position {
            changes[item.id] = item.position
        }
        return changes
    }

    private func index(of id: Int64) throws(RuleError) -> Int {
        guard let index = items.firstIndex(where: { $0.id == id }) else {
            throw .notFound("That song is no longer in the queue.")
        }
        return index
    }

    private mutating func renumber() {
        for index in items.indices {
            items[index].position = index + 1
        }
    }
}
