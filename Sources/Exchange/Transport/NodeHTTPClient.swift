public import HTTPTypes
public import NIOCore
import NIOHTTP1
public import NIOPosix
import NIOSSL
import SwiftASN1
public import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 over mutual TLS from this exchange node to another: it presents the node's authentication certificate
/// and talks only to a server whose chain verifies to the trust roots and whose certificate is one the caller names
/// (the one the global configuration registers for that node). AsyncHTTPClient cannot pin a server certificate;
/// this client is small because it only needs one request at a time per connection.
///
/// Connections are kept alive and pooled per address and expected certificates. A connection the server closed, or
/// one on which anything went wrong, is never reused. Requests are not retried: an exchange message is not
/// idempotent, so a call that fails on a reused connection fails to the caller.
public final class NodeHTTPClient: Sendable {
    private let context: Result<NIOSSLContext, ExchangeError>
    private let trustRoots: [Certificate]
    private let eventLoopGroup: any EventLoopGroup
    private let connectTimeout: Duration
    private let pool: NodeConnectionPool

    /// A client presenting `credentials` and trusting server chains to `trustRoots`.
    ///
    /// Credentials that cannot serve TLS (a key that is not ECDSA P-256 or P-384, or does not match the certificate)
    /// make every ``send(_:body:to:expecting:responseLimit:timeout:spool:)`` fail with ``ExchangeError`` `.invalidRecord`.
    ///
    /// - Parameters:
    ///   - maximumIdleConnectionsPerTarget: how many idle connections to keep per address and expected certificates.
    ///   - connectTimeout: the longest a TCP connect may take (within each call's own timeout).
    public init(
        credentials: NodeCredentials, trustRoots: [Certificate],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        maximumIdleConnectionsPerTarget: Int = 16, connectTimeout: Duration = .seconds(5)
    ) {
        self.trustRoots = trustRoots
        self.eventLoopGroup = eventLoopGroup
        self.connectTimeout = connectTimeout
        self.pool = NodeConnectionPool(maximumIdlePerTarget: maximumIdleConnectionsPerTarget)
        self.context = Self.makeContext(credentials: credentials, trustRoots: trustRoots)
    }

    private static func makeContext(
        credentials: NodeCredentials, trustRoots: [Certificate]
    ) -> Result<NIOSSLContext, ExchangeError> {
        do {
            let configuration = try NodeTLS.configuration(
                forServer: false, credentials: credentials, trustRoots: trustRoots)
            return .success(try NIOSSLContext(configuration: configuration))
        } catch let error as ExchangeError {
            return .failure(error)
        } catch {
            return .failure(ExchangeError(.invalidRecord, "the node's TLS client configuration is refused: \(error)"))
        }
    }

    /// Sends `request` with `body` to the node at `address` and returns its whole answer, its body in memory or, when
    /// larger than the spool's memory limit, in a spool file (neither body is ever held whole in memory then).
    ///
    /// The server's chain must verify to the trust roots (RFC 5280, valid now, extended key usage serverAuth; no host
    /// name is checked) and its certificate must be one of `serverCertificates` (compared as DER); otherwise the call
    /// fails during the handshake, before any byte of the request is sent.
    ///
    /// - Parameters:
    ///   - request: method, path, optional authority (the `Host`, `address` if absent) and header fields.
    ///     Connection-specific fields (`Connection`, `Content-Length`, `Transfer-Encoding`, …) are set by the client.
    ///   - responseLimit: the largest answer body accepted, in bytes.
    ///   - timeout: bounds the whole exchange: connecting, the handshake, sending and receiving.
    /// - Throws: ``ExchangeError`` `.networkError` (refused, reset, closed, unresolvable or timed out; the message
    ///   says which, and the address), `.peerRefused` (the server's certificate failed the chain or the pin, and
    ///   why), `.handshakeFailed` (TLS failed otherwise, typically the server refused our certificate),
    ///   `.responseTooLarge` (the connection is dropped), `.invalidRecord` (unusable credentials or pins).
    public func send(
        _ request: HTTPRequest, body: MessageBody, to address: NodeAddress, expecting serverCertificates: [Certificate],
        responseLimit: Int, timeout: Duration, spool: BodySpool = .temporary
    ) async throws(ExchangeError) -> Response {
        let context = try self.context.get()
        guard !pool.isShutDown else {
            throw ExchangeError(.networkError, "the node HTTP client is shut down; \(address) was not called")
        }
        var pins = Set<[UInt8]>()
        for certificate in serverCertificates { pins.insert(try NodeTLS.der(certificate)) }
        guard !pins.isEmpty else {
            throw ExchangeError(.peerRefused, "no certificate is registered for the node at \(address)")
        }
        let target = NodeConnectionPool.Target(address: address, pins: pins)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let head = Self.requestHead(request, bodyLength: body.count, address: address)

        let channel: any Channel
        if let idle = pool.take(target) {
            channel = idle
        } else {
            channel = try await connect(target, context: context, deadline: deadline, timeout: timeout)
        }
        do {
            let answer = try await withTaskCancellationHandler {
                try await exchange(
                    head, body: body, on: channel, address: address, responseLimit: responseLimit, deadline: deadline,
                    timeout: timeout, spool: spool)
            } onCancel: {
                channel.close(promise: nil)
            }
            if !(answer.reusable && pool.put(channel, for: target)) {
                channel.close(promise: nil)
            }
            return answer.response
        } catch {
            channel.close(promise: nil)
            throw error as? ExchangeError ?? ExchangeError(.networkError, "the call to \(address) failed: \(error)")
        }
    }

    /// One request on `channel`: the head, the body (whole, or streamed from its spool file as the connection takes
    /// it), then the answer, its body spooled as it arrives.
    private func exchange(
        _ head: HTTPRequestHead, body: MessageBody, on channel: any Channel, address: NodeAddress, responseLimit: Int,
        deadline: NIODeadline, timeout: Duration, spool: BodySpool
    ) async throws(ExchangeError) -> (response: Response, reusable: Bool) {
        let promise = channel.eventLoop.makePromise(of: NodeResponseStart.self)
        let exchange = NodeExchange(
            head: head, body: body.inMemory.map { ByteBuffer(bytes: $0) }, responseLimit: responseLimit,
            deadline: deadline, timeout: timeout, promise: promise)
        channel.writeAndFlush(NodeOutbound.begin(exchange)).whenFailure { _ in
            // Only if the write never reached the connection's handler (the channel closed first).
            promise.fail(ExchangeError(.networkError, "the connection to \(address) closed before the request"))
        }
        // A streamed body is sent while the answer is read: a peer may answer before it has read everything.
        async let sent = Self.stream(body, on: channel)
        let start: NodeResponseStart
        let received: MessageBody
        do {
            start = try await promise.futureResult.get()
            received = try await spool.receive(start.body, limit: responseLimit)
        } catch {
            // Closed before the sending above is awaited, which this lets finish.
            channel.close(promise: nil)
            throw Self.answerError(error, from: address, limit: responseLimit)
        }
        return (Response(head: start.head, body: received), await sent && start.head.isKeepAlive)
    }

    /// Writes a spooled body piece by piece, each once the one before it has gone out, so that the file is read no
    /// faster than the connection takes it; `true` if all of it went. A write that fails means the peer answered
    /// early or the connection failed, which the answer says.
    private static func stream(_ body: MessageBody, on channel: any Channel) async -> Bool {
        guard body.inMemory == nil else { return true }
        do {
            for try await chunk in body.chunks() {
                try Task.checkCancellation()
                try await channel.writeAndFlush(NodeOutbound.chunk(chunk)).get()
            }
            try await channel.writeAndFlush(NodeOutbound.end).get()
            return true
        } catch {
            return false
        }
    }

    private static func answerError(_ error: any Error, from address: NodeAddress, limit: Int) -> ExchangeError {
        switch error {
        case let error as ExchangeError:
            return error
        case BodySpool.Failure.tooLarge:
            return ExchangeError(
                .responseTooLarge, "the answer from \(address) is larger than the \(limit) bytes allowed")
        case BodySpool.Failure.source(let error):
            return error as? ExchangeError ?? ExchangeError(.networkError, "the call to \(address) failed: \(error)")
        case BodySpool.Failure.spool(let why):
            return ExchangeError(.bodyUnavailable, "the answer from \(address) could not be spooled: \(why)")
        default:
            return ExchangeError(.networkError, "the call to \(address) failed: \(error)")
        }
    }

    /// Closes the idle connections; calls after this fail with `.networkError`.
    public func shutdown() async {
        for channel in pool.shutDown() {
            channel.close(promise: nil)
            try? await channel.closeFuture.get()
        }
    }

    /// The connections kept for reuse.
    var idleConnections: [any Channel] { pool.idleChannels }

    /// Opens a TCP connection to `target` and completes the TLS handshake, our check of the server included.
    private func connect(
        _ target: NodeConnectionPool.Target, context: NIOSSLContext, deadline: NIODeadline, timeout: Duration
    ) async throws(ExchangeError) -> any Channel {
        let address = target.address
        let connectTimeout = min(TimeAmount(self.connectTimeout), deadline - .now())
        guard connectTimeout > .zero else {
            throw ExchangeError(.networkError, "timed out after \(timeout) before connecting to \(address)")
        }
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(connectTimeout)
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            throw Self.connectionError(error, to: address, within: connectTimeout)
        }
        let pool = self.pool
        channel.closeFuture.whenComplete { _ in pool.remove(channel, for: target) }

        // The TLS handler goes in only now, with our handler in the same event-loop turn, so the handshake (which
        // starts when NIOSSL joins an active channel) cannot complete before someone is listening for it.
        let refusal = NodePeerRefusal()
        let verifier = NodePeerVerifier(trustRoots: trustRoots, usage: .serverAuth)
        let handshake: EventLoopFuture<Void>
        do {
            handshake = try await channel.eventLoop.submit {
                let tls = try NIOSSLClientHandler(
                    context: context, serverHostname: nil,
                    customVerificationCallback: { presented, verdict in
                        verdict.completeWithTask {
                            if let reason = await Self.refusal(of: presented, by: verifier, pins: target.pins, address)
                            {
                                refusal.record(reason)
                                return .failed
                            }
                            return .certificateVerified
                        }
                    })
                let handler = NodeConnectionHandler(
                    address: address, refusal: refusal, eventLoop: channel.eventLoop, handshakeDeadline: deadline,
                    handshakeTimeout: timeout)
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(tls)
                try pipeline.addHTTPClientHandlers()
                try pipeline.addHandler(handler)
                return handler.handshakeCompleted
            }.get()
        } catch {
            channel.close(promise: nil)
            throw ExchangeError(.networkError, "could not set up TLS to \(address): \(error)")
        }
        do {
            try await handshake.get()
        } catch {
            channel.close(promise: nil)
            throw error as? ExchangeError ?? ExchangeError(.networkError, "the TLS handshake with \(address) failed")
        }
        return channel
    }

    /// Why the server's certificate chain is refused, or `nil` if it is the pinned one and verifies.
    static func refusal(
        of presented: [NIOSSLCertificate], by verifier: NodePeerVerifier, pins: Set<[UInt8]>, _ address: NodeAddress
    ) async -> String? {
        guard let leaf = presented.first, let der = try? leaf.toDERBytes() else {
            return "\(address) presented no certificate"
        }
        guard pins.contains(der) else {
            let subject = (try? Certificate(derEncoded: der)).map { "\($0.subject)" } ?? "an unreadable certificate"
            return "\(address) presented the certificate of \(subject), which is not one registered for that node"
        }
        switch await verifier.verify(presented) {
        case .success: return nil
        case .failure(let refusal): return "\(address): \(refusal.reason)"
        }
    }

    static func connectionError(
        _ error: any Error, to address: NodeAddress, within timeout: TimeAmount
    )
        -> ExchangeError
    {
        switch error {
        case ChannelError.connectTimeout:
            return ExchangeError(
                .networkError, "timed out after \(timeout.nanoseconds / 1_000_000) ms connecting to \(address)")
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first {
                return connectionError(failure.error, to: address, within: timeout)
            }
            return ExchangeError(.networkError, "could not resolve the host of \(address)")
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return ExchangeError(.networkError, "could not connect to \(address): connection refused")
        default:
            return ExchangeError(.networkError, "could not connect to \(address): \(error)")
        }
    }
}
