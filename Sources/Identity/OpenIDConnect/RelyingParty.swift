/// A relying party registered with the OpenID Connect provider: a public service, an agency's system, a bank.
public struct RelyingParty: Sendable, Hashable {
    /// The `client_id`.
    public var clientID: String
    /// The name shown on the consent screen.
    public var name: String
    /// A logo shown on the consent screen (https).
    public var logoURL: String?
    /// Redirect URIs, matched exactly (no wildcards, no prefix match).
    public var redirectURIs: [String]
    /// Where RP-initiated logout may send the browser afterwards, matched exactly.
    public var postLogoutRedirectURIs: [String]
    /// The scopes it may ask for (`openid` is always among them).
    public var scopes: Set<String>
    /// How it authenticates at the token endpoint.
    public var authentication: ClientAuthentication
    /// The lowest level of assurance it accepts; a login below it is stepped up.
    public var requiredLevel: LevelOfAssurance
    /// The person's claims it may receive at most, whatever its scopes give; `nil` means every claim of its scopes.
    public var allowedClaims: Set<String>?
    /// How its ID tokens are signed (`id_token_signed_response_alg`): ES256 (the default) or EdDSA.
    public var idTokenSigningAlgorithm: JSONWebAlgorithm

    /// Creates a relying party.
    public init(
        clientID: String, name: String, logoURL: String? = nil, redirectURIs: [String],
        postLogoutRedirectURIs: [String] = [], scopes: Set<String>, authentication: ClientAuthentication,
        requiredLevel: LevelOfAssurance = .low, allowedClaims: Set<String>? = nil,
        idTokenSigningAlgorithm: JSONWebAlgorithm = .es256
    ) {
        self.clientID = clientID
        self.name = name
        self.logoURL = logoURL
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.scopes = scopes.union(["openid"])
        self.authentication = authentication
        self.requiredLevel = requiredLevel
        self.allowedClaims = allowedClaims
        self.idTokenSigningAlgorithm = idTokenSigningAlgorithm
    }

    /// Whether it may receive the claim `name` (the protocol claims `sub`, `acr`, … are not the person's data).
    public func mayReceive(_ name: String) -> Bool { allowedClaims?.contains(name) ?? true }

    /// Whether it authenticates with a client secret.
    public var usesSecret: Bool { authentication == .clientSecretBasic || authentication == .clientSecretPost }

    /// Whether it is a public client (no secret: a mobile or single-page app), which must use PKCE.
    public var isPublic: Bool { authentication == .none }
}

/// How a client authenticates at the token endpoint (OpenID Connect Core §9).
public enum ClientAuthentication: String, Sendable, Hashable, CaseIterable, Codable {
    /// A public client: no authentication, PKCE required.
    case none
    /// HTTP Basic with the client secret.
    case clientSecretBasic = "client_secret_basic"
    /// The client secret in the form body.
    case clientSecretPost = "client_secret_post"
    /// A JWT assertion signed with the client's own key (RFC 7523), whose public keys are registered.
    case privateKeyJWT = "private_key_jwt"
}
