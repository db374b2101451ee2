public import Hummingbird
public import Web

/// Finishes a login in the browser: opens the session (or steps the current one up), sets its cookie and sends
/// the person on to where they were going (an OpenID Connect authorization in progress, or a page).
///
/// Login methods call it once they have proved who the person is; the session layer implements it. The
/// request is the browser's, so the completion can read where to return to and set cookies on the answer.
public protocol AuthenticationCompletion: Sendable {
    /// Completes the login of `authentication` for the browser that sent `request`.
    func complete(
        _ authentication: Authentication, request: Request, context: CivitasRequestContext
    ) async throws -> Response
}
