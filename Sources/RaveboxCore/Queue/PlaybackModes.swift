/// The three playback modes, `PUT /api/playback/modes` `{"shuffle", "repeat", "autoplay"}`.
///
/// They are playback state, not settings: whoever has playback controls switches them (every guest in
/// `fullControl`, mods and admins always), and the store keeps them with the player state so they survive
/// a restart. All off by default.
public struct PlaybackModes: Sendable, Equatable, Codable {
    /// The next song is picked at random from the queue; only in the positional levels
    /// (``Interactivity/honoursShuffle``), voting levels let the votes pick.
    public var shuffle: Bool
    /// A song that finished goes back to the end of the queue with 0 votes.
    public var `repeat`: Bool
    /// When the queue runs empty, a library song is queued (``Autoplay``).
    public var autoplay: Bool

    public init(shuffle: Bool = false, repeat: Bool = false, autoplay: Bool = false) {
        self.shuffle = shuffle
        self.repeat = `repeat`
        self.autoplay = autoplay
    }

    /// What to queue again when a song stops with repeat on, or `nil`.
    ///
    /// The song goes to the end (never to the top, whatever `enqueueFirst` says) as the box's own song:
    /// no requester, not manual, 0 votes. A song the party voted out, or one that failed to play, is not
    /// repeated: the first would come back against the votes, the second would fail again.
    ///
    /// - Parameters:
    ///   - songID: the library id of the song that stopped.
    ///   - outcome: how it stopped.
    ///   - votedOut: whether it was skipped by reaching the kick threshold.
    ///   - now: Unix time in seconds.
    public func repeatAddition(songID: Int64, outcome: PlayOutcome, votedOut: Bool, now: Double) -> QueueAddition? {
        guard self.repeat, !votedOut, outcome == .finished || outcome == .skipped else { return nil }
        return QueueAddition(songID: songID, requester: nil, manuallyRequested: false, requestedAt: now)
    }

    /// Whether autoplay should choose a song now: it is on and the queue is empty (checked when a song
    /// starts, when one is removed or voted out, and when autoplay is switched on).
    public func needsAutoplay(queueIsEmpty: Bool) -> Bool { autoplay && queueIsEmpty }
}
