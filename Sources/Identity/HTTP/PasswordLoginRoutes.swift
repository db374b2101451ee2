import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SQLKit
public import Storage
public import Web

/// Logging in with a username and password in the browser, then a TOTP code or a new password when the
/// account needs one, ending in ``BrowserSessions/complete(_:request:context:)``; and signing out.
///
/// Between the password and the second step, the browser holds a short-lived step token in an HttpOnly cookie
/// (its hash in `identity_login_steps`), so the step cannot be finished from another browser.
public struct PasswordLoginRoutes: Sendable {
    private let accounts: AccountStore
    private let sessions: BrowserSessions
    private let renderer: PageRenderer
    private let database: Database
    private let servedOverTLS: Bool

    /// How long the second step may take.
    static let stepLifetime: TimeInterval = 300
    /// The step cookie's name.
    static let stepCookie = "civitas_login_step"

    /// Creates the routes.
    public init(
        accounts: AccountStore, sessions: BrowserSessions, renderer: PageRenderer, database: Database,
        servedOverTLS: Bool
    ) {
        self.accounts = accounts
        self.sessions = sessions
        self.renderer = renderer
        self.database = database
        self.servedOverTLS = servedOverTLS
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.get("/login") { request, context in try self.page(.password, request: request, context: context) }
        routes.post("/login") { request, context in try await self.password(request, context: context) }
        routes.get("/login/otp") { request, context in try self.page(.otp, request: request, context: context) }
        routes.post("/login/otp") { request, context in try await self.secondStep(.otp, request, context: context) }
        routes.get("/login/password") { request, context in
            try self.page(.change, request: request, context: context)
        }
        routes.post("/login/password") { request, context in
            try await self.secondStep(.change, request, context: context)
        }
        routes.post("/logout") { request, _ in try await sessions.signOut(request) }
    }

    enum Mode: String { case password, otp, change }

    /// The level asked for (`level` query parameter: 1, 2 or 3).
    static func level(_ request: Request) -> LevelOfAssurance {
        request.uri.queryParameters["level"].flatMap { Int(String($0)) }.flatMap(LevelOfAssurance.init(rawValue:))
            ?? .low
    }

    /// The query to carry from page to page (where to return, the level).
    static func carriedQuery(_ request: Request) -> String {
        var items: [URLQueryItem] = []
        let target = WebRoutes.safeReturnPath(request.uri.queryParameters["return"].map(String.init))
        items.append(URLQueryItem(name: "return", value: target))
        items.append(URLQueryItem(name: "level", value: String(level(request).rawValue)))
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }

    private func page(
        _ mode: Mode, request: Request, context: CivitasRequestContext, status: HTTPResponse.Status = .ok,
        error: String? = nil, username: String? = nil
    ) throws -> Response {
        let catalogue = renderer.catalogues[context.language]
        let level = Self.level(request)
        var values: [String: Any] = [
            "query": Self.carriedQuery(request), "mode_\(mode.rawValue)": true,
            "password_allowed": level < .high, "high_only": level == .high,
            "username": username ?? request.uri.queryParameters["login_hint"].map(String.init) ?? "",
        ]
        if let error { values["error"] = catalogue[error] }
        var response = try renderer.page("login", status: status, values: values, request: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func password(_ request: Request, context: CivitasRequestContext) async throws -> Response {
        var request = request
        let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let level = Self.level(request)
        guard level < .high else {
            return try page(
                .password, request: request, context: context, status: .forbidden, error: "login_high_required")
        }
        let username = fields["username"] ?? ""
        let address = ClientAddress.of(context)
        switch try await accounts.authenticate(username: username, password: fields["password"] ?? "", address: address)
        {
        case .failure:
            return try page(
                .password, request: request, context: context, status: .unauthorized, error: "login_error_invalid",
                username: username)
        case .locked:
            return try page(
                .password, request: request, context: context, status: .tooManyRequests, error: "login_error_locked",
                username: username)
        case .success(let account):
            if account.mustChangePassword {
                return try await startStep(.change, account: account, methods: [.password], request: request)
            }
            if account.hasSecondFactor {
                return try await startStep(.otp, account: account, methods: [.password], request: request)
            }
            if level > .low {
                return try page(
                    .password, request: request, context: context, status: .forbidden,
                    error: "login_second_factor_required", username: username)
            }
            return try await sessions.complete(
                Authentication(personalNumber: account.personalNumber, methods: [.password], authenticatedAt: Date()),
                request: request, context: context)
        }
    }

    /// Changes the password; the refusal, if any (a plain result, so the caller needs no typed catch).
    static func changePassword(
        _ accounts: AccountStore, of person: PersonalNumber, to password: String
    ) async
        -> PasswordChangeError?
    {
        do {
            try await accounts.changePassword(of: person, to: password)
            return nil
        } catch {
            return error
        }
    }

    private func startStep(
        _ mode: Mode, account: Account, methods: Set<AuthenticationMethod>, request: Request
    ) async throws -> Response {
        let token = SessionStore.randomToken()
        let expires = Timestamp(Date().addingTimeInterval(Self.stepLifetime)).microseconds
        try await database.transaction { sql in
            try await sql.raw(
                "DELETE FROM identity_login_steps WHERE expires_at < \(bind: Timestamp(Date()).microseconds)"
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_login_steps (token_hash, personal_number, methods, purpose, expires_at)
                VALUES (\(bind: SessionStore.hash(token)), \(bind: account.personalNumber.rawValue),
                    \(bind: SessionStore.encode(methods)), \(bind: mode.rawValue), \(bind: expires))
                """
            ).run()
        }
        var response = Response(
            status: .seeOther,
            headers: [.location: "/login/\(mode == .otp ? "otp" : "password")?\(Self.carriedQuery(request))"])
        response.setCookie(
            Cookie(
                name: Self.stepCookie, value: token, maxAge: Int(Self.stepLifetime), path: "/login",
                secure: servedOverTLS, httpOnly: true, sameSite: .strict))
        return response
    }

    private func secondStep(_ mode: Mode, _ request: Request, context: CivitasRequestContext) async throws -> Response {
        var request = request
        let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        guard let token = request.cookies[Self.stepCookie]?.value, SessionStore.isWellFormed(token),
            let row = try await database.read({ sql in
                try await sql.raw(
                    """
                    SELECT * FROM identity_login_steps WHERE token_hash = \(bind: SessionStore.hash(token))
                        AND purpose = \(bind: mode.rawValue) AND expires_at >= \(bind: Timestamp(Date()).microseconds)
                    """
                ).first()
            })
        else {
            return try page(
                .password, request: request, context: context, status: .unauthorized, error: "login_step_expired")
        }
        let person = try PersonalNumber(try row.decode(column: "personal_number", as: String.self))
        var methods = Set(
            try row.decode(column: "methods", as: String.self).split(separator: " ").compactMap {
                AuthenticationMethod(rawValue: String($0))
            })
        switch mode {
        case .otp:
            guard try await accounts.verifySecondFactor(of: person, code: fields["code"] ?? "") else {
                return try page(
                    .otp, request: request, context: context, status: .unauthorized, error: "login_otp_error")
            }
            methods.insert(.oneTimePassword)
        case .change:
            let new = fields["new_password"] ?? ""
            guard new == fields["repeat_password"] else {
                return try page(
                    .change, request: request, context: context, status: .unprocessableContent,
                    error: "login_change_mismatch")
            }
            if let refusal = await Self.changePassword(accounts, of: person, to: new) {
                guard case .rejected(let violations) = refusal else {
                    throw HTTPProblem(.internalServerError, code: "password-change-failed", detail: "\(refusal)")
                }
                let code = violations.first?.code.replacingOccurrences(of: "-", with: "_") ?? "common"
                return try page(
                    .change, request: request, context: context, status: .unprocessableContent,
                    error: "password_violation_" + code)
            }
        case .password:
            throw HTTPProblem.notFound()
        }
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM identity_login_steps WHERE token_hash = \(bind: SessionStore.hash(token))")
                .run()
        }
        var response = try await sessions.complete(
            Authentication(personalNumber: person, methods: methods, authenticatedAt: Date()), request: request,
            context: context)
        response.setCookie(Cookie(name: Self.stepCookie, value: "", maxAge: 0, path: "/login", httpOnly: true))
        return response
    }
}
