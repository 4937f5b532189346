import GRDB
import RaveboxCore

/// What a guest's request did.
public enum RequestOutcome: Sendable, Equatable {
    /// The song was queued.
    case queued(QueueEntry)
    /// The song was already queued or playing: the request counted as the requester's upvote.
    case upvoted(VoteResult, message: String)
}

extension Store {
    /// Requests a library song in one transaction: the request rules (``RequestDecision``) are decided on
    /// the state inside the transaction, so two guests requesting the same song at once get one entry and
    /// one upvote. A queued request carries the requester's +1 and is logged.
    ///
    /// - Parameters:
    ///   - voter: the requester's voter key (``Voter/key(session:device:oneVotePerDevice:)``).
    ///   - now: Unix time in seconds.
    /// - Throws: ``StoreError/unknownSong(id:)``, the ``RuleError`` of a refused request, or a database error.
    public func request(
        songID: Int64, session: String?, voter: String, privilege: Privilege, settings: BoxSettings, now: Double,
        kickThreshold: KickThreshold
    ) async throws -> RequestOutcome {
        try await writeOrRefuse { db in
            guard let song = try Song.filter(key: songID).filter(Column("available")).fetchOne(db) else {
                throw StoreError.unknownSong(id: songID)
            }
            var queue = try SongQueue(Self.queueItems(in: db))
            let current = try Self.currentSong(in: db)
            let decision = try RequestDecision.decide(
                song: song, queue: queue.items, currentSongID: current?.songID,
                requesterQueuedCount: queue.count(requestedBy: voter),
                requestedBefore: try Self.wasRequested(songID: songID, in: db),
                lastPlayed: try Self.lastPlayed(songID: songID, in: db), now: now, settings: settings,
                privilege: privilege)
            try db.cachedStatement(sql: "INSERT INTO request_log (songId, session, voter) VALUES (?, ?, ?)").execute(
                arguments: [songID, session, voter])
            try Self.numberVoter(voter, in: db)
            switch decision {
            case .enqueue:
                let addition = QueueAddition(
                    songID: songID, requester: voter, manuallyRequested: true, requestedAt: now)
                let id = try Self.insert(addition, session: session, in: db)
                queue.enqueue([addition.item(id: id)], first: settings.enqueueFirst)
                try Self.savePositions(of: queue, in: db)
                let item = queue.item(id: id) ?? addition.item(id: id)
                return .queued(QueueEntry(item, title: song.title, artist: song.artist, duration: song.duration))
            case .upvoteQueued(let entryID, let message):
                let result = try Self.castVote(
                    entryID: entryID, voter: voter, vote: .up, kickThreshold: kickThreshold, in: db)
                return .upvoted(result, message: message)
            case .upvoteCurrent(let message):
                let entryID = current?.entryID ?? 0
                let result = try Self.castVote(
                    entryID: entryID, voter: voter, vote: .up, kickThreshold: kickThreshold, in: db)
                return .upvoted(result, message: message)
            }
        }
    }
}
