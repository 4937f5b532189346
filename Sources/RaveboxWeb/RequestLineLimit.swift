import NIOCore

/// Stands before the HTTP decoder and measures a connection's first request line: when more than
/// ``ConnectionLimits/requestLineBytes`` arrive without a line break, it passes nothing more on and raises
/// ``RequestProblem/requestLineTooLong``, which ``FirstRequestGuard`` answers with 414. NIO's decoder counts the
/// address with the headers and cannot tell a long address from large headers. Leaves the pipeline once the
/// line has ended.
final class RequestLineLimit: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: Int
    private var received = 0
    private var exceeded = false

    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !exceeded else { return }
        let bytes = Self.unwrapInboundIn(data)
        if let newline = bytes.readableBytesView.firstIndex(of: UInt8(ascii: "\n")),
            received + (newline - bytes.readerIndex) <= limit
        {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        received += bytes.readableBytes
        guard received <= limit else {
            exceeded = true
            context.fireErrorCaught(RequestProblem.requestLineTooLong)
            return
        }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension RequestLineLimit: Sendable {}
