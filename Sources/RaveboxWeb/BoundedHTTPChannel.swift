import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 connection with WebSocket upgrades, held to ``ConnectionLimits``: a connection over
/// its address's or the process's limit is closed as soon as it is accepted, a connection's first request is
/// watched by ``RequestLineLimit`` and ``FirstRequestGuard``, and Hummingbird's own idle timeout, header limits
/// and WebSocket pings are set from the limits.
///
/// ```swift
/// Application(router: router, server: BoundedHTTPChannel.server(webSocketRouter: router, limits: .box))
/// ```
struct BoundedHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    /// A connection refused by the ``ConnectionCounter``; the server drops it without a word.
    struct Refused: Error {}

    let http: HTTP1WebSocketUpgradeChannel
    let limits: ConnectionLimits
    let counter: ConnectionCounter

    /// The server of ``WebApp/application(host:port:limits:)``; `webSocketRouter` decides which requests become
    /// WebSockets.
    static func server(
        webSocketRouter: Router<RaveboxRequestContext>, limits: ConnectionLimits, counter: ConnectionCounter? = nil
    ) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        let counter = counter ?? ConnectionCounter(limits: limits)
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.headBytes, maxHeaderListSize: limits.headBytes,
            maxHeaderFieldCount: limits.headerFields)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: TimeAmount(limits.idleTimeout), httpDecoderConfiguration: decoder),
            ws: .init(autoPing: .enabled(timePeriod: limits.webSocketPing), closeTimeout: limits.webSocketCloseTimeout))
        return HTTPServerBuilder { responder in
            BoundedHTTPChannel(
                http: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                limits: limits, counter: counter)
        }
    }

    /// Runs on the new connection's event loop before it is registered: counts it or closes it, then sets up
    /// Hummingbird's pipeline with the two guards around the HTTP decoder.
    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress
        guard counter.open(from: address) else {
            logger.debug("connection refused: too many open", metadata: ["address": "\(address ?? "-")"])
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        channel.closeFuture.whenComplete { [counter] _ in counter.close(from: address) }
        return http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(RequestLineLimit(limit: limits.requestLineBytes), position: .first)
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                FirstRequestGuard(headTimeout: limits.requestHeadTimeout, linger: limits.linger),
                position: .after(decoder))
            return value
        }.flatMapErrorThrowing { error in
            // Never registered, so nothing else would close it (nor give its count back).
            channel.close(promise: nil)
            throw error
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}
