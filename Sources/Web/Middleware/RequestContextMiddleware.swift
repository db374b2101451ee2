public import CivitasCore
import HTTPTypes
public import Hummingbird
import Logging

/// The outermost middleware: request id, language and CSRF token for everything inside.
///
/// - The request id comes from `X-Request-Id` when well-formed, otherwise it is generated; it is put in the logger's
///   metadata (`request_id`) and echoed in the response.
/// - The language comes from `?lang=`, then the `civitas_lang` cookie, then `Accept-Language`, then English.
/// - The CSRF token comes from the `civitas_csrf` cookie; a visitor without one gets a new one, set as a cookie on
///   HTML responses.
public struct RequestContextMiddleware: RouterMiddleware {
    /// The cookie that holds the chosen language.
    public static let languageCookie = "civitas_lang"
    private let settings: WebSettings

    /// Creates the middleware.
    public init(settings: WebSettings) {
        self.settings = settings
    }

    /// Sets up the context, calls the rest of the chain, and decorates the response.
    public func handle(
        _ request: Request, context: CivitasRequestContext,
        next: (Request, CivitasRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let supplied = request.headers[.xRequestID]
        let requestID = supplied.flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.generate()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        context.language = Self.language(for: request)
        context.maxUploadSize = settings.maximumBodySize
        let cookieToken = request.cookies[CSRFToken.cookieName]?.value
        let hasToken = cookieToken.map { CSRFToken.isWellFormed($0) } ?? false
        context.csrfToken = hasToken ? cookieToken! : CSRFToken.generate()

        var response = try await next(request, context)
        response.headers[.xRequestID] = requestID
        if !hasToken, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.setCookie(
                Cookie(
                    name: CSRFToken.cookieName, value: context.csrfToken, path: "/", secure: settings.servedOverTLS,
                    httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The language to answer `request` in.
    public static func language(for request: Request) -> Language {
        if let query = request.uri.queryParameters["lang"], let language = Language(rawValue: String(query)) {
            return language
        }
        if let cookie = request.cookies[languageCookie]?.value, let language = Language(rawValue: cookie) {
            return language
        }
        if let header = request.headers[.acceptLanguage], let language = Language.negotiate(acceptLanguage: header) {
            return language
        }
        return .fallback
    }
}
