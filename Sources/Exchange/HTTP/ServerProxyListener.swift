import HTTPTypes
public import Hummingbird
import HummingbirdTLS
public import Logging
import NIOCore
public import ServiceLifecycle

/// The provider side's door for other nodes: a mutual-TLS HTTP/1.1 listener on the node's exchange port that takes
/// sealed messages at ``ExchangeHeaders/messagePath``.
public struct ServerProxyListener: Service {
    let application: Application<RouterResponder<ServerProxyContext>>

    /// Creates the listener on `host:port`; the handshake accepts only certificates of registered nodes.
    public init(
        runtime: ExchangeNodeRuntime, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        let tls = try NodeTLS.serverConfiguration(
            credentials: runtime.identity.credentials, trustRoots: [runtime.identity.trustAnchor],
            acceptsPeer: { runtime.isRegisteredNode($0) }, logger: logger)
        let router = Router(context: ServerProxyContext.self)
        router.post(RouterPath(ExchangeHeaders.messagePath)) { request, context -> Response in
            let peer = await NodeTLS.peerCertificate(of: context.channel)
            // Only a registered node's message is read at all (the handshake let only such a node in).
            let body: MessageBody
            do throws(NodeFault) {
                body = try await runtime.receive(request.body, side: .serverProxyInternalError)
            } catch {
                return ExchangeNodeRoutes.response(error.answer(detail: "-"))
            }
            let answer = await runtime.providerRequest(fields: request.headers, body: body, peer: peer)
            return ExchangeNodeRoutes.response(answer)
        }
        application = Application(
            router: router, server: try .tls(.http1(), configuration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "Civitas exchange"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Serves until shutdown.
    public func run() async throws {
        try await application.run()
    }
}

/// A request context that keeps the connection's channel, so that the handler can ask for the peer's certificate.
struct ServerProxyContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
