import NIOCore
import NIOHTTP1
import NIOSSL
import NIOTLS
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request on a node-to-node connection: what to write, how much of an answer to take, until when, and where
/// the answer's head goes. A body given here is written with the head; without one the caller streams it after the
/// head (``NodeOutbound/chunk(_:)`` and ``NodeOutbound/end``).
struct NodeExchange: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let responseLimit: Int
    let deadline: NIODeadline
    let timeout: Duration
    let promise: EventLoopPromise<NodeResponseStart>
}

/// What the client writes to a connection's handler.
enum NodeOutbound: Sendable {
    /// A request: its head, and its body if it is written whole.
    case begin(NodeExchange)
    /// A piece of a streamed request body.
    case chunk(ByteBuffer)
    /// The end of a streamed request body.
    case end
}

/// An answer's head, and its body as it arrives; reading from the peer pauses while the consumer is behind.
struct NodeResponseStart: Sendable {
    let head: HTTPResponseHead
    let body: NodeResponseBody
}

/// An answer body as it arrives from the peer.
typealias NodeResponseBody = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, NodeReadDemand
>

/// Resumes reading from the peer when the consumer of an answer body wants more, and drops the connection when the
/// consumer stops before the end.
struct NodeReadDemand: NIOAsyncSequenceProducerDelegate {
    let eventLoop: any EventLoop
    let handler: NIOLoopBound<NodeConnectionHandler>
    let context: NIOLoopBound<ChannelHandlerContext>
    /// Which answer on the connection this is, so that word about an earlier one never touches a later one.
    let answer: Int

    func produceMore() {
        let handler = self.handler
        let context = self.context
        eventLoop.execute { handler.value.resumeReading(context.value) }
    }

    func didTerminate() {
        let handler = self.handler
        let context = self.context
        let answer = self.answer
        eventLoop.execute { handler.value.consumerGone(context.value, answer: answer) }
    }
}

/// Why our check refused the peer's certificate, kept for the connection so that the handshake's failure (which
/// BoringSSL reports only as CERTIFICATE_VERIFY_FAILED) can say so.
final class NodePeerRefusal: Sendable {
    private let reason = Mutex<String?>(nil)

    func record(_ reason: String) { self.reason.withLock { $0 = $0 ?? reason } }

    var recorded: String? { reason.withLock { $0 } }
}

/// The last handler of a client connection to another node, above NIOSSL and the HTTP/1.1 codec: it reports the
/// TLS handshake's outcome, then runs one request at a time, bounds each by its deadline and its answer by the
/// caller's limit, hands the answer's body on as it arrives (reading no faster than it is taken), and closes the
/// connection on any failure so that it is never reused half-read.
final class NodeConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = NodeOutbound
    typealias OutboundOut = HTTPClientRequestPart

    /// Succeeds when the handshake completes (our check of the peer passed), fails with an ``ExchangeError``.
    let handshakeCompleted: EventLoopFuture<Void>

    private let address: NodeAddress
    private let refusal: NodePeerRefusal
    private let handshakeDeadline: NIODeadline
    private let handshakeTimeout: Duration
    private var handshake: EventLoopPromise<Void>?
    private var timer: Scheduled<Void>?
    private var exchange: NodeExchange?
    /// Whether the current request's body is still being streamed by the caller, and how many of its bytes (by
    /// its Content-Length) have not been written yet.
    private var sending = false
    private var unsent = 0
    /// The answer body under way, once its head arrived.
    private var source: NodeResponseBody.Source?
    private var received = 0
    private var keepAlive = true
    /// How many answers have begun on this connection.
    private var answers = 0
    /// Reads wait while the answer's consumer is behind.
    private var paused = false
    private var readPending = false

    /// At most this many buffers of an answer wait for its consumer before reading pauses.
    static let bufferedChunks = (low: 2, high: 8)

    init(
        address: NodeAddress, refusal: NodePeerRefusal, eventLoop: any EventLoop, handshakeDeadline: NIODeadline,
        handshakeTimeout: Duration
    ) {
        self.address = address
        self.refusal = refusal
        self.handshakeDeadline = handshakeDeadline
        self.handshakeTimeout = handshakeTimeout
        let handshake = eventLoop.makePromise(of: Void.self)
        self.handshake = handshake
        self.handshakeCompleted = handshake.futureResult
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            fail(ExchangeError(.networkError, "\(address) closed the connection before the TLS handshake"), context)
            return
        }
        let address = self.address
        let timeout = handshakeTimeout
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: handshakeDeadline) {
            self.fail(
                ExchangeError(.networkError, "timed out after \(timeout) in the TLS handshake with \(address)"), context
            )
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(ExchangeError(.networkError, "the connection to \(address) was closed"), nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let phase = handshake != nil ? "during the TLS handshake" : "before its answer was complete"
        fail(ExchangeError(.networkError, "\(address) closed the connection \(phase)"), context)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, let handshake {
            timer?.cancel()
            timer = nil
            self.handshake = nil
            handshake.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(classify(error), context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .begin(let exchange):
            begin(exchange, context: context, promise: promise)
        case .chunk(let buffer):
            guard sending, buffer.readableBytes <= unsent else {
                promise?.fail(ExchangeError(.networkError, "the request to \(address) is no longer being sent"))
                return
            }
            unsent -= buffer.readableBytes
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: promise)
        case .end:
            guard sending else {
                promise?.fail(ExchangeError(.networkError, "the request to \(address) is no longer being sent"))
                return
            }
            sending = false
            writeEnd(context: context, promise: promise)
        }
    }

    private func begin(_ exchange: NodeExchange, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard self.exchange == nil, source == nil, !sending, handshake == nil, context.channel.isActive else {
            let error = ExchangeError(.networkError, "the connection to \(address) cannot take a request now")
            exchange.promise.fail(error)
            promise?.fail(error)
            return
        }
        self.exchange = exchange
        received = 0
        let address = self.address
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) {
            self.fail(
                ExchangeError(.networkError, "no complete answer from \(address) within \(exchange.timeout)"), context)
        }
        guard let body = exchange.body else {
            sending = true
            unsent = exchange.head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            context.writeAndFlush(wrapOutboundOut(.head(exchange.head)), promise: promise)
            return
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        writeEnd(context: context, promise: promise)
    }

    private func writeEnd(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenFailure { error in
            self.fail(self.classify(error), context)
        }
        written.futureResult.cascade(to: promise)
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// The answer's consumer wants more.
    func resumeReading(_ context: ChannelHandlerContext) {
        paused = false
        if readPending {
            readPending = false
            context.read()
        }
    }

    /// The answer's consumer is gone; if the answer had not ended, the connection cannot be used again.
    func consumerGone(_ context: ChannelHandlerContext, answer: Int) {
        guard answer == answers, source != nil else { return }
        fail(ExchangeError(.networkError, "the answer from \(address) was not read to its end"), context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else {
            // An answer to no request: the connection is out of step, and nothing on it can be trusted.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }),
                length > exchange.responseLimit
            {
                fail(tooLarge(exchange), context)
                return
            }
            guard source == nil else {
                fail(ExchangeError(.networkError, "\(address) began a second answer to one request"), context)
                return
            }
            answers += 1
            let demand = NodeReadDemand(
                eventLoop: context.eventLoop, handler: NIOLoopBound(self, eventLoop: context.eventLoop),
                context: NIOLoopBound(context, eventLoop: context.eventLoop), answer: answers)
            let made = NIOThrowingAsyncSequenceProducer.makeSequence(
                elementType: ByteBuffer.self, failureType: (any Error).self,
                backPressureStrategy: NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
                    lowWatermark: Self.bufferedChunks.low, highWatermark: Self.bufferedChunks.high),
                finishOnDeinit: false, delegate: demand)
            source = made.source
            keepAlive = head.isKeepAlive
            exchange.promise.succeed(NodeResponseStart(head: head, body: made.sequence))
        case .body(let buffer):
            guard let source else {
                fail(ExchangeError(.networkError, "\(address) sent a body before an answer's head"), context)
                return
            }
            received += buffer.readableBytes
            guard received <= exchange.responseLimit else {
                fail(tooLarge(exchange), context)
                return
            }
            switch source.yield(buffer) {
            case .produceMore: break
            case .stopProducing: paused = true
            case .dropped: fail(ExchangeError(.networkError, "the answer from \(address) was dropped"), context)
            }
        case .end:
            guard let source else {
                fail(ExchangeError(.networkError, "\(address) ended an answer it never began"), context)
                return
            }
            timer?.cancel()
            timer = nil
            self.exchange = nil
            self.source = nil
            paused = false
            // An answer may end before the caller's end of a streamed request reaches us (the peer had every byte);
            // one that came before every byte was sent leaves the connection out of step.
            let reusable = !sending || unsent == 0
            if !reusable { sending = false }
            source.finish()
            if !reusable || !keepAlive { context.close(promise: nil) }
            resumeReading(context)
        }
    }

    private func tooLarge(_ exchange: NodeExchange) -> ExchangeError {
        ExchangeError(
            .responseTooLarge, "the answer from \(address) is larger than the \(exchange.responseLimit) bytes allowed")
    }

    /// Fails whatever is pending (a refusal of the peer's certificate takes precedence over how the failure
    /// surfaced) and closes the connection.
    private func fail(_ error: ExchangeError, _ context: ChannelHandlerContext?) {
        let error = refusal.recorded.map { ExchangeError(.peerRefused, $0) } ?? error
        timer?.cancel()
        timer = nil
        let handshake = self.handshake
        let exchange = self.exchange
        let source = self.source
        self.handshake = nil
        self.exchange = nil
        self.source = nil
        sending = false
        handshake?.fail(error)
        if let source {
            source.finish(error)
        } else {
            exchange?.promise.fail(error)
        }
        context?.close(promise: nil)
    }

    private func classify(_ error: any Error) -> ExchangeError {
        switch error {
        case let error as ExchangeError:
            return error
        case NIOSSLError.uncleanShutdown:
            return ExchangeError(.networkError, "\(address) closed the connection without ending the TLS session")
        case NIOSSLError.handshakeFailed(let cause):
            return ExchangeError(.handshakeFailed, "the TLS handshake with \(address) failed: \(cause)")
        case is NIOSSLError, is BoringSSLError:
            // After a TLS 1.3 handshake the server checks our certificate; its refusal arrives as an alert here.
            return ExchangeError(
                .handshakeFailed, "TLS with \(address) failed (the peer may have refused our certificate): \(error)")
        case let error as IOError where error.errnoCode == ECONNRESET:
            return ExchangeError(.networkError, "the connection to \(address) was reset")
        case let error as HTTPParserError:
            return ExchangeError(.networkError, "\(address) answered with malformed HTTP: \(error)")
        default:
            return ExchangeError(.networkError, "the connection to \(address) failed: \(error)")
        }
    }
}
