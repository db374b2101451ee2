/// A request to the token endpoint (RFC 6749 §4.1.3, §6; OpenID Connect Core §3.1.3, §9), as read from the form
/// and the Authorization header.
public struct TokenRequest: Sendable {
    /// `authorization_code`, `refresh_token` or `client_credentials`.
    public var grantType: String?
    /// The authorization code.
    public var code: String?
    /// The redirect URI the code was issued for.
    public var redirectURI: String?
    /// The PKCE verifier.
    public var codeVerifier: String?
    /// The refresh token.
    public var refreshToken: String?
    /// The scopes asked for (client credentials, or narrowing a refresh).
    public var scope: String?
    /// `client_id` from the form.
    public var clientID: String?
    /// `client_secret` from the form (client_secret_post).
    public var clientSecret: String?
    /// Client id and secret from HTTP Basic (client_secret_basic).
    public var basic: (id: String, secret: String)?
    /// `client_assertion_type`.
    public var clientAssertionType: String?
    /// `client_assertion` (private_key_jwt).
    public var clientAssertion: String?

    /// Creates an empty request.
    public init() {}
}

/// A refusal at the token endpoint, in OAuth terms (RFC 6749 §5.2).
public struct TokenError: Error, Sendable, Hashable {
    /// The `error` code.
    public let error: String
    /// The `error_description`.
    public let description: String
    /// 401 for a client that failed to authenticate, 400 otherwise.
    public var status: Int { error == "invalid_client" ? 401 : 400 }

    /// Creates a refusal.
    public init(_ error: String, _ description: String) {
        self.error = error
        self.description = description
    }
}

/// A successful token response (RFC 6749 §5.1, Core §3.1.3.3).
public struct TokenResponse: Sendable, Hashable, Encodable {
    /// The access token (a JWT, RFC 9068).
    public let accessToken: String
    /// `Bearer`.
    public let tokenType = "Bearer"
    /// Seconds until the access token expires.
    public let expiresIn: Int
    /// A new refresh token.
    public let refreshToken: String?
    /// The ID token.
    public let idToken: String?
    /// The scopes granted.
    public let scope: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token", idToken = "id_token", scope
    }
}
