import CivitasCore
import Foundation

/// An OpenID Connect authentication request (Core §3.1.2.1), checked against the relying party.
///
/// Only the authorization code flow is offered (`response_type=code`, `response_mode=query`). PKCE S256 is
/// required of public clients and checked for anyone who sends it; `plain` is refused (RFC 9700 §2.1.1).
public struct AuthorizationRequest: Sendable, Hashable, Codable {
    /// The client.
    public var clientID: String
    /// The redirect URI, exactly as registered.
    public var redirectURI: String
    /// The requested scopes, `openid` among them, limited to what the client may ask.
    public var scopes: [String]
    /// The client's state, returned as given.
    public var state: String?
    /// The nonce, copied into the ID token.
    public var nonce: String?
    /// The PKCE S256 challenge.
    public var codeChallenge: String?
    /// `login`, `consent`, `none` (`select_account` is treated as `login`).
    public var prompt: Set<String>
    /// The largest age of the authentication the client accepts, in seconds.
    public var maxAge: Int?
    /// The levels of assurance the client asks for, most preferred first.
    public var acrValues: [LevelOfAssurance]
    /// The `claims` request parameter (Core §5.5), as JSON text.
    public var claims: String?
    /// The languages the client would like the pages in.
    public var uiLocales: [String]
    /// A hint of who is logging in (a personal number), to prefill the login form.
    public var loginHint: String?
    /// An ID token the client got earlier, naming who it expects.
    public var idTokenHint: String?

    /// Why a request was refused, in OAuth terms.
    public struct Refusal: Error, Sendable, Hashable {
        /// The `error` code.
        public let error: String
        /// The `error_description`.
        public let description: String
        /// Whether the refusal may be sent to the redirect URI: only once the client and its redirect URI are
        /// known to belong together; otherwise the browser sees an error page (Core §3.1.2.6, RFC 6749 §4.1.2.1).
        public let redirectable: Bool
    }

    /// Reads and checks `parameters` (the query or form of the request) for `party`.
    ///
    /// - Parameters:
    ///   - party: the relying party named by `client_id`, or `nil` when it is not registered.
    ///   - repeated: the names of parameters given more than once.
    public static func parse(
        _ parameters: [String: String], party: RelyingParty?, repeated: [String] = []
    ) throws(Refusal) -> AuthorizationRequest {
        func fail(_ error: String, _ description: String, redirectable: Bool = true) -> Refusal {
            Refusal(error: error, description: description, redirectable: redirectable)
        }
        guard let clientID = parameters["client_id"], let party, party.clientID == clientID else {
            throw fail("invalid_request", "The client_id is missing or not registered.", redirectable: false)
        }
        guard let redirectURI = parameters["redirect_uri"], party.redirectURIs.contains(redirectURI) else {
            throw fail(
                "invalid_request", "The redirect_uri is missing or not registered for this client.", redirectable: false
            )
        }
        if repeated.contains("client_id") || repeated.contains("redirect_uri") {
            throw fail("invalid_request", "client_id and redirect_uri must be given once.", redirectable: false)
        }
        if let name = repeated.first { throw fail("invalid_request", "The parameter \(name) is given more than once.") }
        for (name, value) in parameters where value.utf8.count > 4096 {
            throw fail("invalid_request", "The parameter \(name) is too long.")
        }
        if parameters["request"] != nil { throw fail("request_not_supported", "Request objects are not supported.") }
        if parameters["request_uri"] != nil {
            throw fail("request_uri_not_supported", "Request objects by reference are not supported.")
        }
        guard parameters["response_type"] == "code" else {
            throw fail("unsupported_response_type", "Only response_type=code is offered.")
        }
        if let mode = parameters["response_mode"], mode != "query" {
            throw fail("invalid_request", "Only response_mode=query is offered.")
        }
        let requested = (parameters["scope"] ?? "").split(separator: " ").map(String.init)
        guard requested.contains("openid") else { throw fail("invalid_scope", "The scope must include openid.") }
        let unknown = requested.filter { !party.scopes.contains($0) }
        guard unknown.isEmpty else {
            throw fail("invalid_scope", "This client may not ask for: \(unknown.joined(separator: " ")).")
        }
        var challenge: String?
        if let value = parameters["code_challenge"] {
            guard (parameters["code_challenge_method"] ?? "plain") == "S256" else {
                throw fail("invalid_request", "code_challenge_method must be S256.")
            }
            guard value.utf8.count == 43, Base64URL.decode(value)?.count == 32 else {
                throw fail("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier.")
            }
            challenge = value
        } else if parameters["code_challenge_method"] != nil {
            throw fail("invalid_request", "code_challenge_method without code_challenge.")
        }
        if party.isPublic && challenge == nil {
            throw fail("invalid_request", "A public client must use PKCE (code_challenge with S256).")
        }
        let prompt = Set(
            (parameters["prompt"] ?? "").split(separator: " ").map {
                $0 == "select_account" ? "login" : String($0)
            })
        guard prompt.isSubset(of: ["login", "consent", "none"]) else {
            throw fail("invalid_request", "prompt may be login, consent, select_account or none.")
        }
        if prompt.contains("none") && prompt.count > 1 {
            throw fail("invalid_request", "prompt=none cannot be combined with other values.")
        }
        var maxAge: Int?
        if let value = parameters["max_age"] {
            guard let seconds = Int(value), seconds >= 0 else {
                throw fail("invalid_request", "max_age is a number of seconds.")
            }
            maxAge = seconds
        }
        if let claims = parameters["claims"] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(claims.utf8)) as? [String: Any],
                Set(object.keys).isSubset(of: ["id_token", "userinfo"])
            else { throw fail("invalid_request", "claims must be a JSON object with id_token and userinfo members.") }
        }
        if let nonce = parameters["nonce"], nonce.isEmpty { throw fail("invalid_request", "nonce must not be empty.") }
        return AuthorizationRequest(
            clientID: clientID, redirectURI: redirectURI, scopes: requested, state: parameters["state"],
            nonce: parameters["nonce"], codeChallenge: challenge, prompt: prompt, maxAge: maxAge,
            acrValues: (parameters["acr_values"] ?? "").split(separator: " ").compactMap {
                LevelOfAssurance(acr: String($0))
            }, claims: parameters["claims"],
            uiLocales: (parameters["ui_locales"] ?? "").split(separator: " ").map(String.init),
            loginHint: parameters["login_hint"], idTokenHint: parameters["id_token_hint"])
    }

    /// The level the login must reach: the client's minimum, or more when acr_values asks for more.
    public func requiredLevel(for party: RelyingParty) -> LevelOfAssurance {
        max(party.requiredLevel, acrValues.min() ?? .low)
    }

    /// The claims the `claims` parameter asks for in `member` (`id_token` or `userinfo`).
    public func requestedClaims(in member: String) -> [String] {
        guard let claims, let object = try? JSONSerialization.jsonObject(with: Data(claims.utf8)) as? [String: Any],
            let requested = object[member] as? [String: Any]
        else { return [] }
        return requested.keys.sorted()
    }
}
