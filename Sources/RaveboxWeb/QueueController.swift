import Foundation
import Hummingbird
import RaveboxCore
import RaveboxStore

/// The queue API: guests request songs and vote on them, mods remove, reorder, shuffle and prioritize;
/// plus who voted how (`/api/colors`) and the hashtags guests post for the screen.
struct QueueController: Sendable {
    let actions: PartyActions

    /// `/queue…`, `/colors` and `/hashtags`; mounted at `/api`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.post("queue", use: requestSong)
        routes.delete("queue") { _, context in try await removeAll(context: context) }
        routes.post("queue/reorder", use: reorder)
        routes.post("queue/shuffle") { _, context in try await shuffleAll(context: context) }
        routes.delete("queue/{id}") { _, context in try await remove(context: context) }
        routes.put("queue/{id}/vote", use: vote)
        routes.post("queue/{id}/prioritize") { _, context in try await prioritize(context: context) }
        routes.get("colors") { _, context in try await colors(context: context) }
        routes.post("hashtags", use: hashtag)
        return routes
    }

    var store: Store { actions.store }

    struct RequestBody: Decodable {
        var songId: Int64
        /// What the guest typed to find it; later searches for those words find the song too.
        var query: String?
    }

    func requestSong(
        _ request: Request, context: RaveboxRequestContext
    ) async throws -> EditedResponse<PartyActions.RequestResult> {
        let body = try await request.decodeJSON(RequestBody.self, context: context, example: "{\"songId\": 3}")
        let result = try await actions.requestSong(body.songId, context: context)
        if let query = body.query?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty, query.count <= 200 {
            try? await store.recordRequestText(query, songID: body.songId)
        }
        return EditedResponse(status: result.countedAsUpvote ? .ok : .created, response: result)
    }

    func removeAll(context: RaveboxRequestContext) async throws -> Response {
        try await actions.authorize(.removeAll, context)
        try await store.mutateQueue { queue in _ = queue.removeAll() }
        _ = try await actions.queueAfterChange()
        return Response(status: .noContent)
    }

    struct ReorderBody: Decodable {
        var id: Int64
        var after: Int64?
        var before: Int64?
    }

    func reorder(_ request: Request, context: RaveboxRequestContext) async throws -> [QueueEntry] {
        try await actions.authorize(.queueControl, context)
        let body = try await request.decodeJSON(
            ReorderBody.self, context: context, example: "{\"id\": 7, \"after\": 3, \"before\": 9}")
        try await store.mutateQueue { queue in try queue.reorder(id: body.id, after: body.after, before: body.before) }
        return try await actions.queueAfterChange()
    }

    func shuffleAll(context: RaveboxRequestContext) async throws -> [QueueEntry] {
        try await actions.authorize(.shuffleAll, context)
        try await store.mutateQueue { queue in
            var generator = SystemRandomNumberGenerator()
            queue.shuffleAll(using: &generator)
        }
        return try await actions.queueAfterChange()
    }

    func remove(context: RaveboxRequestContext) async throws -> Response {
        try await actions.authorize(.queueControl, context)
        let id = try context.entryID()
        try await store.mutateQueue { queue in _ = try queue.remove(id: id) }
        _ = try await actions.queueAfterChange()
        return Response(status: .noContent)
    }

    func prioritize(context: RaveboxRequestContext) async throws -> [QueueEntry] {
        try await actions.authorize(.queueControl, context)
        let id = try context.entryID()
        try await store.mutateQueue { queue in try queue.prioritize(id: id) }
        return try await actions.queueAfterChange()
    }

    struct VoteBody: Decodable { var vote: Int }

    func vote(_ request: Request, context: RaveboxRequestContext) async throws -> PartyActions.VoteAnswer {
        let id = try context.entryID()
        let body = try await request.decodeJSON(VoteBody.self, context: context, example: "{\"vote\": 1}")
        return try await actions.castVote(body.vote, entryID: id, context: context)
    }

    struct EntryColors: ResponseEncodable {
        var requestedBy: String?
        var upvotes: [String]
        var downvotes: [String]
    }

    /// Who voted how, as guest colours, for those the `colorIndication` setting lets see them.
    func colors(context: RaveboxRequestContext) async throws -> [String: EntryColors] {
        let indication = try await actions.settings.current().colorIndication
        guard indication.isVisible(to: context.privilege) else {
            throw APIError(
                .forbidden,
                indication == .nobody
                    ? "Voter colours are switched off at this party." : "Voter colours are for the hosts only.")
        }
        let hex = { (number: Int) in GuestColor(number: number).hex }
        var result: [String: EntryColors] = [:]
        for (entry, colors) in try await store.voteColors() {
            result[String(entry)] = EntryColors(
                requestedBy: colors.requester.map(hex), upvotes: colors.up.map(hex), downvotes: colors.down.map(hex))
        }
        return result
    }

    struct HashtagBody: Decodable { var text: String }

    func hashtag(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(
            HashtagBody.self, context: context, example: "{\"text\": \"#dancefloor\"}")
        try await actions.addHashtag(body.text, context: context)
        return Response(status: .created)
    }
}

extension QueueEntry: ResponseEncodable {}
