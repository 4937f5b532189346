import Foundation
import Hummingbird
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// What guests and hosts do to the party, applied the same way whether it came from the JSON API or from a
/// form on a page without JavaScript: who may do what now, requesting, voting and hashtags, and telling the
/// engine after each commit. Everything that reads or writes the store is `async` (the store's web
/// surface): a handler waiting for the write lock suspends instead of holding its thread.
///
/// ```swift
/// try await actions.authorize(.queueControl, context)
/// let result = try await actions.requestSong(songID, context: context)
/// ```
struct PartyActions: Sendable {
    let store: Store
    let segment: SharedSegment
    let settings: PartySettings
    let commands: CommandSender
    /// Votes per guest over time (the `voteRateLimit` setting).
    let voteLimiter: VoteRateLimiter
    let sessions: Sessions

    /// Checks that this session may do `action` now: 401 for a guest asking for an admin's action (logging
    /// in would help), else the rule's own refusal (403).
    func authorize(_ action: PartyAction, _ context: RaveboxRequestContext) async throws {
        let interactivity = try await settings.current().interactivity
        guard !action.isAllowed(for: context.privilege, at: interactivity) else { return }
        if context.privilege == .guest, [.removeAll, .shuffleAll, .settings].contains(action) {
            throw APIError(.unauthorized, "Log in as admin to do that.")
        }
        try action.authorize(context.privilege, at: interactivity)
    }

    /// Whose vote this is: the session (begun now when the guest has none), or the device when the party
    /// allows one vote per device.
    func voterKey(_ context: RaveboxRequestContext) async throws -> String {
        Voter.key(
            session: try await sessions.ensure(context), device: context.device,
            oneVotePerDevice: try await settings.current().oneVotePerDevice)
    }

    /// The guest's votes by queue entry id, without beginning a session for someone who has none (a page view).
    func votes(of context: RaveboxRequestContext) async throws -> [Int64: Int] {
        let oneVotePerDevice = try await settings.current().oneVotePerDevice
        let session = context.sessionSlot.session?.id
        guard session != nil || (oneVotePerDevice && context.device != nil) else { return [:] }
        return try await store.votes(
            of: Voter.key(session: session ?? "", device: context.device, oneVotePerDevice: oneVotePerDevice))
    }

    /// Tells the engine; 503 when its command ring is full.
    func send(_ command: Command) throws {
        do {
            try commands.send(command)
        } catch {
            throw APIError(.serviceUnavailable, "The box is busy. Please try again in a moment.")
        }
    }

    /// Tells every process that the queue changed and returns it as it is now.
    func queueAfterChange() async throws -> [QueueEntry] {
        segment.bump(.queue)
        return try await store.queue()
    }

    // MARK: - Requests and votes

    struct RequestResult: ResponseEncodable {
        var entry: QueueEntry?
        var countedAsUpvote: Bool
        var message: String
    }

    /// Requests a song for this session; tells the engine only after the commit.
    func requestSong(_ songID: Int64, context: RaveboxRequestContext) async throws -> RequestResult {
        try await authorize(.request, context)
        let now = PartySettings.now()
        let outcome = try await store.request(
            songID: songID, session: try await sessions.ensure(context), voter: try await voterKey(context),
            privilege: context.privilege, settings: try await settings.current(), now: now,
            kickThreshold: try await settings.kickThreshold(now: now))
        // The engine notices the change counter within its 20 ms tick and starts the song if it is idle.
        segment.bump(.queue)
        switch outcome {
        case .queued(let entry):
            return RequestResult(entry: entry, countedAsUpvote: false, message: "\(entry.title) is in the queue.")
        case .upvoted(let vote, let message):
            skipIfKicked(vote)
            return RequestResult(entry: nil, countedAsUpvote: true, message: message)
        }
    }

    struct VoteAnswer: ResponseEncodable {
        var entryId: Int64
        var votes: Int
        var yourVote: Int
        var kicked: Bool
    }

    /// Sets this guest's vote on a queue entry (or the playing song), within the rate limit.
    func castVote(_ value: Int, entryID id: Int64, context: RaveboxRequestContext) async throws -> VoteAnswer {
        let vote = try Vote(value: value)
        try await authorize(.vote(vote), context)
        let voter = try await voterKey(context)
        let now = PartySettings.now()
        try voteLimiter.admit(voter: voter, now: now, limit: try await settings.current().voteRateLimit)
        let result = try await store.vote(
            entryID: id, voter: voter, vote: vote, kickThreshold: try await settings.kickThreshold(now: now))
        segment.bump(.queue)
        skipIfKicked(result)
        return VoteAnswer(entryId: id, votes: result.votes, yourVote: vote.rawValue, kicked: result.kicked)
    }

    /// The current song voted down to the threshold is skipped: the command names the play, so a song
    /// that started meanwhile is not skipped by mistake.
    func skipIfKicked(_ result: VoteResult) {
        guard result.kicked, result.isCurrent, let playID = result.playID else { return }
        try? commands.send(Command(kind: .skip, value: Double(playID)))
    }

    /// Shows a guest's hashtag on the box, when the party has hashtags on.
    func addHashtag(_ text: String, context: RaveboxRequestContext) async throws {
        try await authorize(.submitHashtag, context)
        guard try await settings.current().hashtagsActive else {
            throw APIError(.forbidden, "Hashtags are switched off at this party.")
        }
        try await store.addHashtag(try Hashtag.normalize(text))
        segment.bump(.logs)
    }
}
