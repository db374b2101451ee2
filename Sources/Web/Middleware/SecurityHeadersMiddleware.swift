import HTTPTypes
public import Hummingbird

/// Sets the security headers every response carries.
///
/// The Content-Security-Policy allows only our own stylesheet and images: no scripts at all (the web shell works
/// without JavaScript), no framing (`frame-ancestors 'none'`), forms only to ourselves.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy sent with every response.
    public static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'"
    }
    private let servedOverTLS: Bool

    /// Creates the middleware; `servedOverTLS` adds `Strict-Transport-Security`.
    public init(servedOverTLS: Bool) {
        self.servedOverTLS = servedOverTLS
    }

    /// Adds the headers to the response of the rest of the chain.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        response.headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=(), payment=()"
        if servedOverTLS {
            response.headers[.strictTransportSecurity] = "max-age=63072000; includeSubDomains"
        }
        return response
    }
}
