public import CivitasCore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
public import Web

/// Sessions as browsers see them: the `civitas_session` cookie, and the end of every login.
///
/// A login for the person already signed in steps their session up; a login for someone else ends the old
/// session and opens a new one, with a new token (no session fixation). Either way the browser goes on to the
/// `return` query parameter, when it is a local path, or to `/`.
public struct BrowserSessions: AuthenticationCompletion, AuthenticatedPersonLookup {
    /// The store.
    public let store: SessionStore
    private let servedOverTLS: Bool
    /// Whether a person can act for someone else, so that a new login goes by the choice page
    /// (`/account/acting`); set by the node when it serves representation (decision 0016).
    public var canActForOthers: (@Sendable (PersonalNumber) async throws -> Bool)?

    /// The session cookie's name.
    public static let cookieName = "civitas_session"

    /// Creates the browser side of `store`; `servedOverTLS` marks the cookie Secure.
    public init(store: SessionStore, servedOverTLS: Bool) {
        self.store = store
        self.servedOverTLS = servedOverTLS
    }

    /// The request's live session and its token, if it has one.
    public func current(_ request: Request) async throws -> (token: String, session: Session)? {
        guard let token = request.cookies[Self.cookieName]?.value,
            let session = try await store.session(token: token)
        else { return nil }
        return (token, session)
    }

    /// The person signed in to the browser that sent `request`, and how strongly.
    public func authenticatedPerson(
        for request: Request, context: CivitasRequestContext
    ) async throws
        -> AuthenticatedPerson?
    {
        guard let (_, session) = try await current(request) else { return nil }
        return AuthenticatedPerson(personalNumber: session.personalNumber, level: session.level)
    }

    /// Opens or steps up the session and sends the browser on.
    public func complete(
        _ authentication: Authentication, request: Request, context: CivitasRequestContext
    ) async throws -> Response {
        let target = WebRoutes.safeReturnPath(request.uri.queryParameters["return"].map(String.init))
        var response = Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        if let (token, session) = try await current(request) {
            if session.personalNumber == authentication.personalNumber {
                _ = try await store.stepUp(token: token, with: authentication)
                return response
            }
            try await store.end(token: token)
        }
        let (token, _) = try await store.open(authentication, userAgent: request.headers[.userAgent])
        response.setCookie(cookie(token))
        context.logger.info("signed in", metadata: ["level": "\(authentication.level.acr)"])
        // A relying party's authorization asks whom the person acts for itself, for its own service.
        if let canActForOthers, !target.hasPrefix("/oidc/"), try await canActForOthers(authentication.personalNumber) {
            response.headers[.location] =
                "/account/acting?return=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return response
    }

    /// Signs the browser out: ends the session and clears the cookie.
    public func signOut(_ request: Request) async throws -> Response {
        if let token = request.cookies[Self.cookieName]?.value { try await store.end(token: token) }
        var response = Response(status: .seeOther, headers: [.location: "/", .cacheControl: "no-store"])
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: servedOverTLS, httpOnly: true,
                sameSite: .lax))
        return response
    }

    /// The session cookie: HttpOnly, Lax (so that a relying party's redirect to /oidc/authorize carries it),
    /// Secure over TLS, and a browser-session cookie (the server decides when the session ends).
    func cookie(_ token: String) -> Cookie {
        Cookie(name: Self.cookieName, value: token, path: "/", secure: servedOverTLS, httpOnly: true, sameSite: .lax)
    }
}
