import CivitasCore
import Foundation

/// A relying party in the registry API's JSON, with RFC 7591 client metadata names where RFC 7591 has one.
///
/// On input, `client_id` is required by POST and ignored by PUT (the path names the client); `disabled`,
/// `client_secret`, `created_at` and `updated_at` are output only and ignored when sent.
struct RelyingPartyDocument: Codable, Sendable {
    var clientID: String?
    var clientName: String
    var logoURI: String?
    var redirectURIs: [String]
    var postLogoutRedirectURIs: [String]?
    var scope: String?
    var allowedClaims: [String]?
    var tokenEndpointAuthMethod: String?
    var jwks: KeySet?
    var requiredLevel: String?
    var idTokenSignedResponseAlg: String?
    var disabled: Bool?
    var clientSecret: String?
    var createdAt: String?
    var updatedAt: String?

    /// A JWKS (RFC 7517 §5): public keys only, since ``JSONWebKey`` refuses private members.
    struct KeySet: Codable, Sendable {
        var keys: [JSONWebKey]
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case clientName = "client_name"
        case logoURI = "logo_uri"
        case redirectURIs = "redirect_uris"
        case postLogoutRedirectURIs = "post_logout_redirect_uris"
        case scope
        case allowedClaims = "allowed_claims"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case jwks
        case requiredLevel = "required_level"
        case idTokenSignedResponseAlg = "id_token_signed_response_alg"
        case disabled
        case clientSecret = "client_secret"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    static let levels: [String: LevelOfAssurance] = ["low": .low, "substantial": .substantial, "high": .high]

    /// The document of a registered party.
    init(_ record: RegisteredRelyingParty, secret: String? = nil) {
        let party = record.party
        clientID = party.clientID
        clientName = party.name
        logoURI = party.logoURL
        redirectURIs = party.redirectURIs
        postLogoutRedirectURIs = party.postLogoutRedirectURIs
        scope = party.scopes.sorted().joined(separator: " ")
        allowedClaims = party.allowedClaims?.sorted()
        tokenEndpointAuthMethod = party.authentication.rawValue
        jwks = record.jwks.flatMap { try? JSONDecoder().decode(KeySet.self, from: Data($0.utf8)) }
        requiredLevel = Self.levels.first { $0.value == party.requiredLevel }?.key
        idTokenSignedResponseAlg = party.idTokenSigningAlgorithm.rawValue
        disabled = !record.isActive
        clientSecret = secret
        createdAt = Timestamp(record.createdAt).description
        updatedAt = record.updatedAt.map { Timestamp($0).description }
    }

    /// The party this document describes, for `clientID`, and its JWKS as JSON text.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord` naming the field in error.
    func party(clientID: String) throws -> (party: RelyingParty, jwks: String?) {
        let method = try tokenEndpointAuthMethod.map {
            guard let method = ClientAuthentication(rawValue: $0) else {
                throw IdentityError(
                    .invalidRecord,
                    "token_endpoint_auth_method: one of "
                        + ClientAuthentication.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return method
        }
        let level = try requiredLevel.map {
            guard let level = Self.levels[$0] else {
                throw IdentityError(.invalidRecord, "required_level: low, substantial or high")
            }
            return level
        }
        let algorithm = try idTokenSignedResponseAlg.map {
            guard let algorithm = JSONWebAlgorithm(rawValue: $0) else {
                throw IdentityError(.invalidRecord, "id_token_signed_response_alg: ES256 or EdDSA")
            }
            return algorithm
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let keys = try jwks.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let party = RelyingParty(
            clientID: clientID, name: clientName, logoURL: logoURI, redirectURIs: redirectURIs,
            postLogoutRedirectURIs: postLogoutRedirectURIs ?? [],
            scopes: Set((scope ?? "openid").split(separator: " ").map(String.init)),
            authentication: method ?? .clientSecretBasic, requiredLevel: level ?? .low,
            allowedClaims: allowedClaims.map(Set.init), idTokenSigningAlgorithm: algorithm ?? .es256)
        try RelyingPartyRegistry.check(party, jwks: keys)
        return (party, keys)
    }
}
