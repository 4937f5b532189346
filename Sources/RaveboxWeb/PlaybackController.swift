import Foundation
import Hummingbird
import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// The playback API (for whoever the interactivity setting lets control playback): play, pause, skip,
/// restart, the alarm, seeking, the volume and the shuffle/repeat/autoplay modes. Each is a command to the
/// engine, answered 202 because the engine acts on it a moment later.
struct PlaybackController: Sendable {
    let actions: PartyActions

    /// Mounted at `/api/playback`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        for action in ["play", "pause", "skip", "restart", "alarm"] {
            routes.post(RouterPath(action)) { _, context in try await playback(action, context: context) }
        }
        routes.post("seek", use: seek)
        routes.put("volume", use: volume)
        routes.put("modes", use: modes)
        return routes
    }

    struct Accepted: ResponseEncodable { var accepted: String }

    func playback(_ action: String, context: RaveboxRequestContext) async throws -> EditedResponse<Accepted> {
        try await actions.authorize(.playbackControl, context)
        let command: Command =
            switch action {
            case "play": Command(kind: .play)
            case "pause": Command(kind: .pause)
            case "skip": Command(kind: .skip)
            case "alarm": Command(kind: .alarm)
            default: Command(kind: .seek, value: 0)
            }
        try actions.send(command)
        return EditedResponse(status: .accepted, response: Accepted(accepted: action))
    }

    struct SeekBody: Decodable { var seconds: Double }

    func seek(_ request: Request, context: RaveboxRequestContext) async throws -> EditedResponse<Accepted> {
        try await actions.authorize(.playbackControl, context)
        let body = try await request.decodeJSON(SeekBody.self, context: context, example: "{\"seconds\": 30}")
        guard body.seconds.isFinite, body.seconds >= 0 else {
            throw APIError(.badRequest, "seconds must be 0 or more.")
        }
        try actions.send(Command(kind: .seek, value: body.seconds))
        return EditedResponse(status: .accepted, response: Accepted(accepted: "seek"))
    }

    struct VolumeBody: Decodable { var volume: Double }

    func volume(_ request: Request, context: RaveboxRequestContext) async throws -> EditedResponse<Accepted> {
        try await actions.authorize(.playbackControl, context)
        let body = try await request.decodeJSON(VolumeBody.self, context: context, example: "{\"volume\": 0.5}")
        guard body.volume.isFinite, (0...1).contains(body.volume) else {
            throw APIError(.badRequest, "The volume must be between 0 and 1.")
        }
        try actions.send(Command(kind: .setVolume, value: body.volume))
        return EditedResponse(status: .accepted, response: Accepted(accepted: "volume"))
    }

    struct ModesBody: Decodable {
        var shuffle: Bool?
        var `repeat`: Bool?
        var autoplay: Bool?
    }

    func modes(_ request: Request, context: RaveboxRequestContext) async throws -> PlaybackModes {
        try await actions.authorize(.playbackControl, context)
        let body = try await request.decodeJSON(ModesBody.self, context: context, example: "{\"shuffle\": true}")
        let modes = try await actions.store.updatePlaybackModes { modes in
            if let shuffle = body.shuffle { modes.shuffle = shuffle }
            if let value = body.repeat { modes.repeat = value }
            if let autoplay = body.autoplay { modes.autoplay = autoplay }
        }
        actions.segment.bump(.settings)
        return modes
    }
}

extension PlaybackModes: ResponseEncodable {}
