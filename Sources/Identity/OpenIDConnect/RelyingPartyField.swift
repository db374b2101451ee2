/// A field of a relying party's registration, named as RFC 7591 names client metadata; what a refusal points at.
public enum RelyingPartyField: String, Sendable, Hashable, CaseIterable {
    /// `client_id`.
    case clientID = "client_id"
    /// `client_name`.
    case name = "client_name"
    /// `logo_uri`.
    case logoURL = "logo_uri"
    /// `redirect_uris`.
    case redirectURIs = "redirect_uris"
    /// `post_logout_redirect_uris`.
    case postLogoutRedirectURIs = "post_logout_redirect_uris"
    /// `scope`.
    case scopes = "scope"
    /// `allowed_claims` (a Civitas extension).
    case allowedClaims = "allowed_claims"
    /// `token_endpoint_auth_method`.
    case authentication = "token_endpoint_auth_method"
    /// `jwks`.
    case jwks
    /// `required_level` (a Civitas extension: low, substantial or high).
    case requiredLevel = "required_level"
    /// `id_token_signed_response_alg`.
    case idTokenSigningAlgorithm = "id_token_signed_response_alg"
}
