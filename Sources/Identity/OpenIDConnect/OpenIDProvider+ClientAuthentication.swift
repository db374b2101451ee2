import CivitasCore
import Foundation
import SQLKit
import Storage

extension OpenIDProvider {
    /// The assertion type of private_key_jwt (RFC 7523 §2.2).
    static let jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Authenticates the client of a token request by the one method it registered; anything else is
    /// `invalid_client` (Core §9: a client uses exactly one method).
    func authenticateClient(_ request: TokenRequest) async throws -> RelyingParty {
        let refused = TokenError("invalid_client", "The client could not be authenticated.")
        let methods = [request.basic != nil, request.clientSecret != nil, request.clientAssertion != nil]
        guard methods.filter({ $0 }).count <= 1 else {
            throw TokenError("invalid_request", "Use one client authentication method, not several.")
        }
        if let basic = request.basic {
            guard let party = try await clients.party(basic.id, secret: basic.secret),
                party.authentication == .clientSecretBasic, request.clientID == nil || request.clientID == basic.id
            else { throw refused }
            return party
        }
        if let secret = request.clientSecret {
            guard let id = request.clientID, let party = try await clients.party(id, secret: secret),
                party.authentication == .clientSecretPost
            else { throw refused }
            return party
        }
        if let assertion = request.clientAssertion {
            guard request.clientAssertionType == Self.jwtBearer else {
                throw TokenError("invalid_request", "client_assertion_type must be \(Self.jwtBearer).")
            }
            return try await authenticate(assertion: assertion, clientID: request.clientID)
        }
        guard let id = request.clientID, let party = try await clients.party(id), party.isPublic else { throw refused }
        return party
    }

    /// Checks a private_key_jwt assertion: signed by a registered key of the client, `iss` and `sub` the client,
    /// `aud` this provider, not expired, at most 10 minutes long, and its `jti` never seen before.
    private func authenticate(assertion: String, clientID: String?) async throws -> RelyingParty {
        let refused = TokenError("invalid_client", "The client assertion is not valid.")
        guard let jws = try? JSONWebSignature(compact: assertion), let claims = try? jws.claims(),
            let issuerClaim = claims["iss"] as? String, claims["sub"] as? String == issuerClaim,
            clientID == nil || clientID == issuerClaim, let party = try await clients.party(issuerClaim),
            party.authentication == .privateKeyJWT
        else { throw refused }
        let keys = try await clients.keys(of: party.clientID).filter { jws.keyID == nil || $0.kid == jws.keyID }
        guard keys.contains(where: { $0.verifies(jws.signature, over: jws.signingInput, algorithm: jws.algorithm) })
        else { throw refused }
        let audiences: [String] =
            if let list = claims["aud"] as? [String] { list } else if let one = claims["aud"] as? String { [one] } else
            { [] }
        guard audiences.contains(issuer) || audiences.contains("\(issuer)/oidc/token") else { throw refused }
        let now = clock.now().timeIntervalSince1970
        guard let expires = (claims["exp"] as? NSNumber)?.doubleValue, expires > now, expires - now <= 600,
            let jti = claims["jti"] as? String, (1...256).contains(jti.utf8.count)
        else { throw refused }
        let fresh = try await database.transaction { sql in
            try await sql.raw(
                "DELETE FROM identity_oidc_assertions WHERE expires_at < \(bind: Timestamp(Date(timeIntervalSince1970: now)).microseconds)"
            ).run()
            let seen = try await sql.raw(
                """
                SELECT 1 AS n FROM identity_oidc_assertions WHERE client_id = \(bind: party.clientID) AND jti = \(bind: jti)
                """
            ).first()
            guard seen == nil else { return false }
            try await sql.raw(
                """
                INSERT INTO identity_oidc_assertions (client_id, jti, expires_at)
                VALUES (\(bind: party.clientID), \(bind: jti),
                    \(bind: Timestamp(Date(timeIntervalSince1970: expires)).microseconds))
                """
            ).run()
            return true
        }
        guard fresh else { throw TokenError("invalid_client", "The client assertion was used already.") }
        return party
    }
}
