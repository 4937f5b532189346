/// What happens when a guest requests a song: it is queued, it counts as their upvote of the copy that is
/// already queued or playing, or it is refused with a sentence.
///
/// ```swift
/// switch try RequestDecision.decide(song: song, queue: queue.items, currentSongID: current?.songID, ...) {
/// case .enqueue: /* insert with the requester's +1, SongQueue.enqueue(first: settings.enqueueFirst) */
/// case .upvoteQueued(let entryID, _): /* cast the requester's .up on entryID */
/// case .upvoteCurrent: /* cast the requester's .up on the current song */
/// }
/// ```
///
/// A multi-song request (a folder or playlist, at most `maxPlaylistItems` songs) decides each song on its
/// own and queues the ones that come back `.enqueue` in one ``SongQueue/enqueue(_:first:)`` call, with
/// `manuallyRequested: false`; the others are skipped (not upvoted), so one request cannot hand out votes.
public enum RequestDecision: Sendable, Equatable {
    /// Queue it.
    case enqueue
    /// The song is already queued as `entryID`: the request is the requester's upvote of it.
    case upvoteQueued(entryID: Int64, message: String)
    /// The song is playing now: the request is the requester's upvote of the current song.
    case upvoteCurrent(message: String)

    /// What the guest is told on success.
    public var message: String? {
        switch self {
        case .enqueue: nil
        case .upvoteQueued(_, let message), .upvoteCurrent(let message): message
        }
    }

    /// Decides a single-song request. Checks run in this order, the first that applies deciding:
    ///
    /// 1. `forbiddenKeywords` in the title or artist → 403.
    /// 2. Already playing or queued → counts as the requester's upvote (in the positional levels, where
    ///    nobody votes, → 409 saying so). Duplicates are never queued, whatever the cooldown (Raveberry
    ///    only caught them when a cooldown was set).
    /// 3. `newMusicOnly` and requested before → 403.
    /// 4. `songCooldown` hours not yet passed since it last played → 409 with the time left.
    /// 5. `maxQueueLength` reached → 409.
    /// 6. `maxSongsPerGuest` reached by this requester (guests only) → 409.
    ///
    /// - Parameters:
    ///   - song: the requested library song.
    ///   - queue: the queued entries.
    ///   - currentSongID: library id of the song playing (or paused) now.
    ///   - requesterQueuedCount: songs this requester has waiting in the queue (``SongQueue/count(requestedBy:)``).
    ///   - requestedBefore: whether the song was ever requested at this box (request log).
    ///   - lastPlayed: when it last started playing (play log), Unix time in seconds.
    ///   - now: Unix time in seconds.
    ///   - privilege: the requester's; mods and admins are exempt from `maxSongsPerGuest`.
    /// - Throws: ``RuleError`` with the sentence for the guest.
    public static func decide(
        song: Song, queue: [QueueItem], currentSongID: Int64?, requesterQueuedCount: Int, requestedBefore: Bool,
        lastPlayed: Double?, now: Double, settings: BoxSettings, privilege: Privilege = .guest
    ) throws(RuleError) -> RequestDecision {
        let name = "\"\(song.title)\""
        if let word = ForbiddenKeywords(settings.forbiddenKeywords).match(title: song.title, artist: song.artist) {
            throw .forbidden("Songs with \"\(word)\" in the title or artist can't be requested at this party.")
        }
        let voting = settings.interactivity.acceptsVotes
        if currentSongID == song.id {
            guard voting else { throw .conflict("\(name) is playing right now.") }
            return .upvoteCurrent(message: "\(name) is playing right now: your request counts as an upvote.")
        }
        if let queued = queue.filter({ $0.songID == song.id }).min(by: QueueOrder.positionPrecedes) {
            guard voting else { throw .conflict("\(name) is already in the queue.") }
            return .upvoteQueued(
                entryID: queued.id, message: "\(name) is already in the queue: your request counts as an upvote.")
        }
        if settings.newMusicOnly, requestedBefore {
            throw .forbidden("Only new music at this party: \(name) has been requested before.")
        }
        if settings.songCooldown > 0, let lastPlayed {
            let remaining = lastPlayed + settings.songCooldown * 3600 - now
            if remaining > 0 {
                throw .conflict("\(name) played recently. It can be requested again in \(Self.spoken(remaining)).")
            }
        }
        if settings.maxQueueLength > 0, queue.count >= settings.maxQueueLength {
            throw .conflict(
                "The queue is full (\(settings.maxQueueLength) songs). Try again when a song has played.")
        }
        if settings.maxSongsPerGuest > 0, privilege == .guest, requesterQueuedCount >= settings.maxSongsPerGuest {
            let songs = settings.maxSongsPerGuest == 1 ? "a song" : "\(settings.maxSongsPerGuest) songs"
            throw .conflict("You already have \(songs) waiting. Request more when one has played.")
        }
        return .enqueue
    }

    /// "1 minute", "45 minutes", "2 hours": a wait as a guest reads it, rounded up; hours from 90 minutes.
    static func spoken(_ seconds: Double) -> String {
        let minutes = max(1, Int((seconds / 60).rounded(.up)))
        if minutes < 90 { return minutes == 1 ? "1 minute" : "\(minutes) minutes" }
        let hours = Int((Double(minutes) / 60).rounded())
        return "\(hours) hours"
    }
}
