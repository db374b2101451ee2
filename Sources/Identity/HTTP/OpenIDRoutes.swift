import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import Web

/// The OpenID Connect provider over HTTP: discovery, JWKS, authorization (with login and consent in the
/// browser), token, userinfo and RP-initiated logout.
///
/// Protocol endpoints answer in OAuth's own error format (JSON at the token and userinfo endpoints, redirects
/// to the relying party where the spec allows); browsers that cannot be sent back get an error page.
public struct OpenIDRoutes: Sendable {
    let provider: OpenIDProvider
    let sessions: BrowserSessions
    let renderer: PageRenderer

    /// Creates the routes.
    public init(provider: OpenIDProvider, sessions: BrowserSessions, renderer: PageRenderer) {
        self.provider = provider
        self.sessions = sessions
        self.renderer = renderer
    }

    /// The scopes offered, in the order the consent screen lists them.
    static let offeredScopes = ["openid", "profile", "age", "address", "personal_number", "offline_access"]

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.get("/.well-known/openid-configuration") { _, _ in try Self.json(self.discovery()) }
        routes.get("/oidc/jwks") { _, _ in
            let keys = try await provider.keys.published()
            let document = ["keys": try keys.map { try JSONSerialization.jsonObject(with: JSONEncoder().encode($0)) }]
            return try Self.json(document, cache: "public, max-age=300")
        }
        routes.get("/oidc/authorize") { request, context in
            try await self.authorize(
                Self.query(request), repeated: Self.repeatedQueryNames(request), request: request, context: context)
        }
        routes.add(.post, "/oidc/authorize", csrf: .exempt) { request, context in
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let fields = FormFields(String(buffer: body))
            return try await self.authorize(
                fields.dictionary, repeated: fields.repeatedNames, request: request, context: context)
        }
        routes.get("/oidc/authorize/resume") { request, context in
            guard let id = request.uri.queryParameters["request"].map(String.init),
                let pending = try await provider.pending(id)
            else { throw Self.expired }
            return try await self.step(pending, request: request, context: context)
        }
        routes.post("/oidc/authorize/consent") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let fields = FormFields(String(buffer: body))
            guard let id = fields["request"], let pending = try await provider.pending(id) else { throw Self.expired }
            guard let (_, session) = try await sessions.current(request) else {
                return try await self.step(pending, request: request, context: context)
            }
            let scopes: Set<String>? = fields["decision"] == "allow" ? Set(fields.all("scope")) : nil
            let target = try await provider.answerConsent(pending, session: session, scopes: scopes)
            return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        }
        registerActing(in: routes)
        routes.add(.post, "/oidc/token", csrf: .exempt) { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            return await self.token(FormFields(String(buffer: body)), request: request, context: context)
        }
        routes.get("/oidc/userinfo") { request, _ in await self.userinfo(BearerToken.of(request)) }
        routes.add(.post, "/oidc/userinfo", csrf: .exempt) { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            return await self.userinfo(BearerToken.of(request) ?? FormFields(String(buffer: body))["access_token"])
        }
        routes.get("/oidc/logout") { request, context in try await self.logout(request, context: context) }
    }

    /// The discovery document (OpenID Connect Discovery 1.0 §3).
    func discovery() -> [String: Any] {
        let issuer = provider.issuer
        return [
            "issuer": issuer,
            "authorization_endpoint": "\(issuer)/oidc/authorize",
            "token_endpoint": "\(issuer)/oidc/token",
            "userinfo_endpoint": "\(issuer)/oidc/userinfo",
            "jwks_uri": "\(issuer)/oidc/jwks",
            "end_session_endpoint": "\(issuer)/oidc/logout",
            "scopes_supported": Self.offeredScopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": SigningKeys.algorithms.map(\.rawValue),
            "userinfo_signing_alg_values_supported": ["none"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "private_key_jwt", "none",
            ],
            "token_endpoint_auth_signing_alg_values_supported": ["ES256", "ES384", "EdDSA", "RS256"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": LevelOfAssurance.allCases.map(\.acr),
            "claims_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_supported": ["sub", "iss", "auth_time", "acr", "amr"]
                + OpenIDProvider.claimsByScope.values.flatMap { $0 }.sorted(),
            "ui_locales_supported": Language.allCases.map(\.rawValue),
            "authorization_response_iss_parameter_supported": true,
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
        ]
    }

    private func authorize(
        _ parameters: [String: String], repeated: [String], request: Request, context: CivitasRequestContext
    ) async throws -> Response {
        do {
            let pending = try await provider.begin(parameters, repeated: repeated)
            return try await step(pending, request: request, context: context)
        } catch let refusal as AuthorizationRequest.Refusal {
            guard refusal.redirectable, let clientID = parameters["client_id"],
                let party = try await provider.clients.party(clientID), let uri = parameters["redirect_uri"],
                party.redirectURIs.contains(uri)
            else {
                throw HTTPProblem(.badRequest, code: refusal.error, detail: refusal.description)
            }
            var components = URLComponents(string: uri)!
            var items = components.queryItems ?? []
            items.append(URLQueryItem(name: "error", value: refusal.error))
            items.append(URLQueryItem(name: "error_description", value: refusal.description))
            if let state = parameters["state"] { items.append(URLQueryItem(name: "state", value: state)) }
            items.append(URLQueryItem(name: "iss", value: provider.issuer))
            components.queryItems = items
            return Response(status: .seeOther, headers: [.location: components.string!, .cacheControl: "no-store"])
        }
    }

    /// Takes the browser to the next step of `pending`: login, consent, or back to the relying party.
    private func step(
        _ pending: OpenIDProvider.Pending, request: Request, context: CivitasRequestContext
    ) async throws -> Response {
        var context = context
        if let language = pending.request.uiLocales.lazy.compactMap({ Language(tag: $0) }).first {
            context.language = language
        }
        let session = try await sessions.current(request)?.session
        switch try await provider.next(pending, session: session) {
        case .redirect(let target):
            return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        case .login(let pending, let level):
            var login = URLComponents()
            login.path = "/login"
            var items = [
                URLQueryItem(name: "return", value: "/oidc/authorize/resume?request=\(pending.id)"),
                URLQueryItem(name: "level", value: String(level.rawValue)),
            ]
            if let hint = pending.request.loginHint { items.append(URLQueryItem(name: "login_hint", value: hint)) }
            if let language = pending.request.uiLocales.lazy.compactMap({ Language(tag: $0) }).first {
                items.append(URLQueryItem(name: "lang", value: language.rawValue))
            }
            login.queryItems = items
            return Response(status: .seeOther, headers: [.location: login.string!, .cacheControl: "no-store"])
        case .chooseActing(let pending, let choices):
            return try actingPage(pending, choices: choices, request: request, context: context)
        case .consent(let pending, _):
            let catalogue = renderer.catalogues[context.language]
            let scopes = Self.offeredScopes.filter { pending.request.scopes.contains($0) }.map {
                scope -> [String: Any] in
                ["scope": scope, "label": catalogue["consent_scope_\(scope)"], "required": scope == "openid"]
            }
            var response = try renderer.page(
                "consent",
                values: [
                    "party": pending.party.name, "request": pending.id, "scopes": scopes,
                    "logo": pending.party.logoURL as Any,
                ], request: request, context: context)
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    private func token(_ fields: FormFields, request: Request, context: CivitasRequestContext) async -> Response {
        var tokenRequest = TokenRequest()
        tokenRequest.grantType = fields["grant_type"]
        tokenRequest.code = fields["code"]
        tokenRequest.redirectURI = fields["redirect_uri"]
        tokenRequest.codeVerifier = fields["code_verifier"]
        tokenRequest.refreshToken = fields["refresh_token"]
        tokenRequest.scope = fields["scope"]
        tokenRequest.clientID = fields["client_id"]
        tokenRequest.clientSecret = fields["client_secret"]
        tokenRequest.clientAssertionType = fields["client_assertion_type"]
        tokenRequest.clientAssertion = fields["client_assertion"]
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard
                let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({
                    String(decoding: $0, as: UTF8.self)
                }),
                let colon = decoded.firstIndex(of: ":")
            else { return Self.tokenError(TokenError("invalid_client", "The Basic credentials are malformed.")) }
            // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
            let id = String(decoded[..<colon]).removingPercentEncoding ?? ""
            let secret = String(decoded[decoded.index(after: colon)...]).removingPercentEncoding ?? ""
            tokenRequest.basic = (id, secret)
        }
        do {
            let response = try await provider.token(tokenRequest)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(response))))
        } catch let error as TokenError {
            context.logger.info("token request refused", metadata: ["error": "\(error.error)"])
            return Self.tokenError(error)
        } catch {
            context.logger.error("token endpoint failed", metadata: ["error": "\(error)"])
            return Self.tokenError(
                TokenError("server_error", "The token could not be issued."), status: .internalServerError)
        }
    }

    private func userinfo(_ token: String?) async -> Response {
        guard let token else {
            return Self.bearerError(
                BearerTokenError(error: "invalid_request", description: "No access token was sent."))
        }
        do {
            return try Self.json(try await provider.userinfo(accessToken: token), cache: "no-store")
        } catch let error as BearerTokenError {
            return Self.bearerError(error)
        } catch {
            return Self.bearerError(
                BearerTokenError(error: "invalid_token", description: "The access token is not valid."))
        }
    }

    /// RP-initiated logout 1.0: ends the session; goes back to the relying party only to a registered URI.
    private func logout(_ request: Request, context: CivitasRequestContext) async throws -> Response {
        let query = Self.query(request)
        var response = try await sessions.signOut(request)
        if let target = query["post_logout_redirect_uri"], let hint = query["id_token_hint"],
            let clientID = try await provider.audience(ofIDToken: hint),
            let party = try await provider.clients.party(clientID), party.postLogoutRedirectURIs.contains(target)
        {
            var components = URLComponents(string: target)!
            if let state = query["state"] {
                components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "state", value: state)]
            }
            response.headers[.location] = components.string!
        }
        return response
    }

    static let expired = HTTPProblem(
        .badRequest, code: "request-expired",
        detail: "This sign-in request has expired or was already used. Go back to the service and start again.")

    /// The query's parameters, decoded as a form (`+` is a space, as relying parties send it).
    static func query(_ request: Request) -> [String: String] {
        FormFields(request.uri.query.map { String($0) } ?? "").dictionary
    }

    static func repeatedQueryNames(_ request: Request) -> [String] {
        FormFields(request.uri.query.map { String($0) } ?? "").repeatedNames
    }

    static func json(_ object: Any, cache: String = "no-store") throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func tokenError(_ error: TokenError, status: HTTPResponse.Status? = nil) -> Response {
        let body =
            (try? JSONSerialization.data(
                withJSONObject: ["error": error.error, "error_description": error.description], options: [.sortedKeys]))
            ?? Data()
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if error.status == 401 { headers[.wwwAuthenticate] = "Basic realm=\"civitas\"" }
        return Response(
            status: status ?? (error.status == 401 ? .unauthorized : .badRequest), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func bearerError(_ error: BearerTokenError) -> Response {
        let status: HTTPResponse.Status =
            error.error == "insufficient_scope"
            ? .forbidden : (error.error == "invalid_request" ? .badRequest : .unauthorized)
        let body =
            (try? JSONSerialization.data(
                withJSONObject: ["error": error.error, "error_description": error.description], options: [.sortedKeys]))
            ?? Data()
        return Response(
            status: status,
            headers: [
                .contentType: "application/json", .cacheControl: "no-store",
                .wwwAuthenticate: "Bearer realm=\"civitas\", error=\"\(error.error)\"",
            ], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
