import Foundation
import HTTPTypes
public import Hummingbird
import Web

/// The one place that decides who may use an admin route: a browser session whose person holds the route's role,
/// signed in at ``minimumLevel`` or higher.
///
/// Nobody signed in goes to the login page; an official signed in below the level goes there to step up (password
/// and TOTP, eID card or mobile ID); anyone else, citizen or official with another role, gets 403 in their language.
/// Roles are read from the database on every request, so a revocation takes effect at once, on every node.
public struct OfficialPolicy: Sendable {
    private let sessions: BrowserSessions
    private let officials: OfficialRegistry

    /// The lowest level at which an official may act: substantial (two factors) or high.
    public static let minimumLevel: LevelOfAssurance = .substantial

    /// Creates the policy.
    public init(sessions: BrowserSessions, officials: OfficialRegistry) {
        self.sessions = sessions
        self.officials = officials
    }

    /// What the policy decided for a request.
    public enum Decision: Sendable {
        /// The official may go on.
        case allowed(Official)
        /// Send the browser to this response (the login page, to sign in or to step up).
        case login(Response)
    }

    /// Decides whether the request's browser may act in `role` (any role when `nil`, for the admin start page).
    ///
    /// - Throws: ``HTTPProblem`` 403 `not-an-official` when the person holds no such role.
    public func decide(_ request: Request, role: OfficialRole?) async throws -> Decision {
        guard let (_, session) = try await sessions.current(request) else {
            return .login(Self.login(request))
        }
        let roles = try await officials.roles(of: session.personalNumber)
        let allowed = role.map { roles.contains($0) } ?? !roles.isEmpty
        guard allowed else {
            throw HTTPProblem(
                .forbidden, code: "not-an-official",
                detail: "This page is for officials with the \(role?.rawValue ?? "any official") role.",
                pageKey: "admin_forbidden")
        }
        guard session.level >= Self.minimumLevel else { return .login(Self.login(request)) }
        return .allowed(Official(personalNumber: session.personalNumber, roles: roles, level: session.level))
    }

    /// The login page, asking for ``minimumLevel``, coming back to the page (or, after a form, to `/admin`).
    static func login(_ request: Request) -> Response {
        let back = request.method == .get ? request.uri.path + (request.uri.query.map { "?\($0)" } ?? "") : "/admin"
        var components = URLComponents()
        components.path = "/login"
        components.queryItems = [
            URLQueryItem(name: "return", value: WebRoutes.safeReturnPath(back)),
            URLQueryItem(name: "level", value: String(minimumLevel.rawValue)),
        ]
        let target = components.percentEncodedPath + "?" + (components.percentEncodedQuery ?? "")
        return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
    }
}
