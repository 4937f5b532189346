import Foundation
import Hummingbird
import HummingbirdWebSocket
import RaveboxCore

/// The party as it happens: its state once (`GET /api/state`) and live over WebSockets, the state's changes
/// (`/api/live`), the spectrum strip (`/api/live/spectrum`) and, for mods, the LED preview (`/api/live/leds`).
/// The WebSocket upgrades are `GET` routes of the router, so its route listing names them too; a plain `GET`
/// of one (no `Upgrade: websocket`) is answered 426 with a sentence, not Hummingbird's empty 200.
struct LiveController: Sendable {
    let reader: PartyStateReader
    let live: LiveUpdates
    let spectrum: SpectrumFeed
    let ledFeed: SpectrumFeed

    /// Mounted at `/api`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("state") { _, _ in try await reader.read() }
        routes.ws("live", shouldUpgrade: Self.webSocketsOnly) { inbound, outbound, _ in
            try await Self.send(await live.subscribe(), over: outbound, whileOpen: inbound) { .text($0) }
        }
        routes.ws("live/spectrum", shouldUpgrade: Self.webSocketsOnly) { inbound, outbound, _ in
            try await Self.send(spectrum.subscribe(), over: outbound, whileOpen: inbound) {
                .binary(ByteBuffer(bytes: $0))
            }
        }
        routes.ws("live/leds", shouldUpgrade: Self.webSocketsOnly) { inbound, outbound, context in
            guard context.requestContext.privilege >= .mod else { return }
            try await Self.send(ledFeed.subscribe(), over: outbound, whileOpen: inbound) {
                .binary(ByteBuffer(bytes: $0))
            }
        }
        return routes
    }

    /// Lets a WebSocket client's request (`Upgrade: websocket`) go on to the upgrade and refuses any other.
    static func webSocketsOnly(_ request: Request, _: RaveboxRequestContext) throws -> RouterShouldUpgrade {
        guard request.headers[values: .upgrade].contains(where: { $0.lowercased().contains("websocket") }) else {
            throw APIError(
                .upgradeRequired, "This address is for live updates: connect to it as a WebSocket.",
                headers: [.upgrade: "websocket"])
        }
        return .upgrade([:])
    }

    /// Sends every message of `stream` to a WebSocket client until the client goes away. What the client
    /// sends is read (and ignored), so pings and the close handshake are handled; when it ends, so does
    /// the sending side.
    static func send<Message: Sendable>(
        _ stream: AsyncStream<Message>, over outbound: WebSocketOutboundWriter,
        whileOpen inbound: WebSocketInboundStream,
        frame: @escaping @Sendable (Message) -> WebSocketOutboundWriter.OutboundFrame
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound {} }
            group.addTask { for await message in stream { try await outbound.write(frame(message)) } }
            try await group.next()
            group.cancelAll()
        }
    }
}

extension PartyState: ResponseEncodable {}
