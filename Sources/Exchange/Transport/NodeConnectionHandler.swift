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
/// the answer goes.
struct NodeExchange: Sendable {
    let head: HTTPRequestHead
    let body: [UInt8]
    let responseLimit: Int
    let deadline: NIODeadline
    let timeout: Duration
    let promise: EventLoopPromise<NodeExchangeResult>
}

/// A complete answer, and whether the connection may carry another request.
struct NodeExchangeResult: Sendable {
    let head: HTTPResponseHead
    let body: [UInt8]
    let keepAlive: Bool
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
/// caller's limit, and closes the connection on any failure so that it is never reused half-read.
final class NodeConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = NodeExchange
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
    private var responseHead: HTTPResponseHead?
    private var responseBody: [UInt8] = []

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
        let exchange = unwrapOutboundIn(data)
        guard self.exchange == nil, handshake == nil, context.channel.isActive else {
            let error = ExchangeError(.networkError, "the connection to \(address) cannot take a request now")
            exchange.promise.fail(error)
            promise?.fail(error)
            return
        }
        self.exchange = exchange
        responseHead = nil
        responseBody = []
        let address = self.address
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) {
            self.fail(
                ExchangeError(.networkError, "no complete answer from \(address) within \(exchange.timeout)"), context)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if !exchange.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: exchange.body)))),
                promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenFailure { error in
            self.fail(self.classify(error), context)
        }
        written.futureResult.cascade(to: promise)
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
            responseHead = head
        case .body(let buffer):
            guard responseBody.count + buffer.readableBytes <= exchange.responseLimit else {
                fail(tooLarge(exchange), context)
                return
            }
            responseBody.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head = responseHead else {
                fail(ExchangeError(.networkError, "\(address) ended an answer it never began"), context)
                return
            }
            timer?.cancel()
            timer = nil
            self.exchange = nil
            let result = NodeExchangeResult(head: head, body: responseBody, keepAlive: head.isKeepAlive)
            responseHead = nil
            responseBody = []
            exchange.promise.succeed(result)
            if !result.keepAlive { context.close(promise: nil) }
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
        self.handshake = nil
        self.exchange = nil
        handshake?.fail(error)
        exchange?.promise.fail(error)
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
