import NIOCore
import NIOHTTP1

/// What is wrong with a request the server answers itself, before any route sees it.
enum RequestProblem: Error, Equatable {
    /// Bytes that are not HTTP (a TLS greeting on the HTTP port), or HTTP that breaks its rules (a negative or
    /// garbled `Content-Length`).
    case malformed
    /// The request line is longer than ``ConnectionLimits/requestLineBytes``.
    case requestLineTooLong
    /// The head is larger than ``ConnectionLimits/headBytes``, or has too many headers.
    case headTooLarge
    /// The head did not arrive within ``ConnectionLimits/requestHeadTimeout``.
    case tooSlow

    init(_ error: HTTPParserError) {
        self = error == .headerOverflow ? .headTooLarge : .malformed
    }

    var status: HTTPResponseStatus {
        switch self {
        case .malformed: .badRequest
        case .requestLineTooLong: .uriTooLong
        case .headTooLarge: .requestHeaderFieldsTooLarge
        case .tooSlow: .requestTimeout
        }
    }

    /// The sentence the answer's `{"error": ...}` carries.
    var sentence: String {
        switch self {
        case .malformed: "The request is not valid HTTP."
        case .requestLineTooLong: "The address is too long."
        case .headTooLarge: "The request's headers are too large."
        case .tooSlow: "The request took too long to arrive."
        }
    }
}

/// Watches a connection until its first request head has arrived, right behind NIO's HTTP decoder.
///
/// Hummingbird answers a malformed request with 400, and closes an idle connection, only once the connection's
/// first request has been read: before that the WebSocket upgrade handler waits for a head, and a decoding error
/// or a head that never ends leaves the connection open for good. This handler answers that first head's
/// ``RequestProblem``s itself (400, 414, 431, or 408 when the head takes longer than the timeout), then lets
/// the connection ``linger`` and closes it. Once a head has passed it leaves the pipeline: Hummingbird's idle
/// timeout and error handling take over, or the WebSocket's pings.
final class FirstRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let headTimeout: TimeAmount
    private let linger: TimeAmount
    private var timer: Scheduled<Void>?
    /// Set once the connection has been answered here: from then on what arrives is dropped.
    private var answered = false

    init(headTimeout: Duration, linger: Duration) {
        self.headTimeout = TimeAmount(headTimeout)
        self.linger = TimeAmount(linger)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startClock(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startClock(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        // Closed before any head: the WebSocket upgrade handler behind this one would report the upgrade as failed,
        // which Hummingbird logs as an error, for every stranger's connection. Told that the input has closed, it
        // reports that instead, which Hummingbird logs at trace level.
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        context.fireChannelRead(data)
        if case .head = Self.unwrapInboundIn(data) {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if answered { return }
        switch error {
        case let problem as RequestProblem: answer(problem, context: context)
        case let error as HTTPParserError: answer(RequestProblem(error), context: context)
        default: context.fireErrorCaught(error)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client has read the answer and closed its side: close ours now.
        if answered, let event = event as? ChannelEvent, event == .inputClosed {
            end(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func startClock(context: ChannelHandlerContext) {
        guard timer == nil, !answered else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: headTimeout) { [self] in
            timer = nil
            answer(.tooSlow, context: context)
        }
    }

    /// Sends `problem`'s status with its sentence, ends the output and closes after ``linger``, or earlier when
    /// the client closes its side first.
    private func answer(_ problem: RequestProblem, context: ChannelHandlerContext) {
        answered = true
        timer?.cancel()
        let body = ByteBuffer(string: #"{"error": "\#(problem.sentence)"}"#)
        let headers = HTTPHeaders([
            ("Connection", "close"), ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", "\(body.readableBytes)"),
        ])
        context.write(
            Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: problem.status, headers: headers))),
            promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: linger) { [self] in
            timer = nil
            end(context: context)
        }
    }

    private func end(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension FirstRequestGuard: Sendable {}
