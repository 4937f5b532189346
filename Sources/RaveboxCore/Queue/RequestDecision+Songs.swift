/// What a multi-song request (a playlist or folder) queues: the songs the request rules let in, in order, and
/// the sentences of those they kept out.
public struct SongsDecision: Sendable, Equatable {
    /// The songs to queue, in the request's order.
    public var accepted: [Song] = []
    /// Why each other song stays out (forbidden keyword, already queued or playing, cooldown, full queue...),
    /// in the request's order.
    public var refusals: [RuleError] = []

    public init(accepted: [Song] = [], refusals: [RuleError] = []) {
        self.accepted = accepted
        self.refusals = refusals
    }
}

extension RequestDecision {
    /// Decides a multi-song request song by song with ``decide(song:queue:currentSongID:requesterQueuedCount:requestedBefore:lastPlayed:now:settings:privilege:)``,
    /// each against the queue as it would be with the songs accepted before it, so a playlist holding a song
    /// twice queues it once and stops at `maxQueueLength`. A song that is already queued or playing is left
    /// out rather than upvoted (one request cannot hand out votes), and so is a refused one: the house rules
    /// (forbidden keywords, new music only, cooldown, queue length) hold for playlists as for single songs.
    ///
    /// The accepted songs go into the queue in one ``SongQueue/enqueue(_:first:)`` call, with
    /// `manuallyRequested: false` (``QueueAddition``), so `enqueueFirst` keeps their order.
    ///
    /// - Parameters:
    ///   - songs: the request's library songs, in order.
    ///   - requester: the requester's voter key; `nil` for songs the box adds.
    ///   - requestedBefore: whether a song was ever requested at this box (request log).
    ///   - lastPlayed: when a song last started playing (play log), Unix time in seconds.
    public static func decide(
        songs: [Song], queue: [QueueItem], currentSongID: Int64?, requester: String?,
        requestedBefore: (Song) -> Bool, lastPlayed: (Song) -> Double?, now: Double, settings: BoxSettings,
        privilege: Privilege
    ) -> SongsDecision {
        var result = SongsDecision()
        var queue = queue
        for song in songs {
            do {
                let decision = try decide(
                    song: song, queue: queue, currentSongID: currentSongID,
                    requesterQueuedCount: requester.map { key in queue.count(where: { $0.requester == key }) } ?? 0,
                    requestedBefore: requestedBefore(song), lastPlayed: lastPlayed(song), now: now,
                    settings: settings, privilege: privilege)
                guard decision == .enqueue else {
                    result.refusals.append(.conflict("\"\(song.title)\" is already in the queue or playing."))
                    continue
                }
                result.accepted.append(song)
                // A stand-in for the entry until the store gives it an id: only its song and requester count.
                let standIn = QueueAddition(
                    songID: song.id, requester: requester, manuallyRequested: false, requestedAt: now)
                queue.append(standIn.item(id: -Int64(result.accepted.count)))
            } catch {
                result.refusals.append(error)
            }
        }
        return result
    }
}
