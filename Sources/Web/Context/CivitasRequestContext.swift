public import CivitasCore
public import Hummingbird

/// The request context of every Civitas route: what the middleware learnt about the request.
///
/// Set by ``RequestContextMiddleware`` before anything else runs, so that error pages, logs and routes all see the
/// same request id, language and CSRF token.
public struct CivitasRequestContext: RequestContext {
    /// Hummingbird's own storage.
    public var coreContext: CoreRequestContextStorage
    /// The request id: the client's `X-Request-Id` when valid, otherwise generated. Echoed in the response.
    public var requestID: String = ""
    /// The language to answer in.
    public var language: Language = .fallback
    /// The CSRF token for forms on pages rendered for this request (the value of the `civitas_csrf` cookie).
    public var csrfToken: String = ""
    /// The largest request body accepted, in bytes (413 beyond it).
    public var maxUploadSize: Int = 1 << 20
    /// The address of the peer that sent the request (the load balancer's, behind one), for throttling and logs.
    public var peerAddress: String?

    /// Creates a context for a request arriving at the server.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }
}
