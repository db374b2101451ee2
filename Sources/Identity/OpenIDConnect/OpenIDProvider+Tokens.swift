import Audit
import CivitasCore
import Crypto
import Foundation
import SQLKit
import Storage

extension OpenIDProvider {
    /// The token endpoint: authenticates the client, then exchanges a code, rotates a refresh token, or issues a
    /// client-credentials token.
    public func token(_ request: TokenRequest) async throws -> TokenResponse {
        let party = try await authenticateClient(request)
        switch request.grantType {
        case "authorization_code": return try await exchangeCode(request, party: party)
        case "refresh_token": return try await refresh(request, party: party)
        case "client_credentials": return try await clientCredentials(request, party: party)
        case nil: throw TokenError("invalid_request", "grant_type is missing.")
        default:
            throw TokenError(
                "unsupported_grant_type", "Offered: authorization_code, refresh_token, client_credentials.")
        }
    }

    private func exchangeCode(_ request: TokenRequest, party: RelyingParty) async throws -> TokenResponse {
        guard let code = request.code, SessionStore.isWellFormed(code) else {
            throw TokenError("invalid_grant", "The code is missing or malformed.")
        }
        let now = clock.now()
        let grantID = SessionStore.randomToken()
        // Claim the code and open the grant in one transaction, so that two exchanges of one code cannot both win.
        let claimed: (row: any SQLRow, reused: String?)? = try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    "SELECT * FROM identity_oidc_codes WHERE code_hash = \(bind: SessionStore.hash(code))"
                ).first()
            else { return nil }
            if try row.decode(column: "used_at", as: Int64?.self) != nil {
                // A code used twice: revoke what its first use issued (RFC 6749 §4.1.2).
                let earlier = try row.decode(column: "grant_id", as: String?.self)
                if let earlier {
                    try await sql.raw(
                        """
                        UPDATE identity_oidc_grants SET revoked_at = \(bind: Timestamp(now).microseconds)
                        WHERE id = \(bind: earlier) AND revoked_at IS NULL
                        """
                    ).run()
                }
                return (row, earlier ?? "")
            }
            try await sql.raw(
                """
                UPDATE identity_oidc_codes SET used_at = \(bind: Timestamp(now).microseconds), grant_id = \(bind: grantID)
                WHERE code_hash = \(bind: SessionStore.hash(code))
                """
            ).run()
            return (row, nil)
        }
        guard let (row, reused) = claimed else { throw TokenError("invalid_grant", "The code is not known.") }
        if reused != nil {
            try await auditGrant("identity.oidc.code-reuse", row: row, party: party)
            throw TokenError("invalid_grant", "The code was used already; the tokens it gave are revoked.")
        }
        guard try row.decode(column: "client_id", as: String.self) == party.clientID else {
            throw TokenError("invalid_grant", "The code was issued to another client.")
        }
        guard Timestamp(microseconds: try row.decode(column: "expires_at", as: Int64.self)).date >= now else {
            throw TokenError("invalid_grant", "The code has expired.")
        }
        guard request.redirectURI == (try row.decode(column: "redirect_uri", as: String.self)) else {
            throw TokenError("invalid_grant", "redirect_uri is not the one the code was issued for.")
        }
        if let challenge = try row.decode(column: "code_challenge", as: String?.self) {
            guard let verifier = request.codeVerifier, (43...128).contains(verifier.utf8.count),
                verifier.utf8.allSatisfy({ Self.isUnreserved($0) }),
                Base64URL.encode(SHA256.hash(data: Data(verifier.utf8))) == challenge
            else { throw TokenError("invalid_grant", "The PKCE code_verifier does not match the code_challenge.") }
        } else if request.codeVerifier != nil {
            // A verifier for a code issued without a challenge is a downgrade attempt (RFC 9700 §2.1.1).
            throw TokenError("invalid_grant", "The code was issued without PKCE; no code_verifier is expected.")
        }
        let person = try PersonalNumber(try row.decode(column: "personal_number", as: String.self))
        let scopes = try row.decode(column: "scopes", as: String.self)
        let methods = try row.decode(column: "methods", as: String.self)
        let authTime = try row.decode(column: "auth_time", as: Int64.self)
        let claims = try row.decode(column: "claims", as: String?.self)
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_oidc_grants (id, client_id, personal_number, scopes, claims, methods, auth_time,
                    created_at)
                VALUES (\(bind: grantID), \(bind: party.clientID), \(bind: person.rawValue), \(bind: scopes),
                    \(bind: claims), \(bind: methods), \(bind: authTime), \(bind: Timestamp(now).microseconds))
                """
            ).run()
            try await carryActing(
                from: "code:\(SessionStore.hash(code))", to: "grant:\(grantID)", lifetime: Self.refreshLifetime,
                in: sql)
        }
        let grant = Grant(
            id: grantID, clientID: party.clientID, person: person, scopes: scopes, claims: claims,
            methods: Set(methods.split(separator: " ").compactMap { AuthenticationMethod(rawValue: String($0)) }),
            authTime: Timestamp(microseconds: authTime).date)
        try await auditGrant("identity.oidc.token", grant: grant, party: party)
        return try await tokens(for: grant, party: party, nonce: try row.decode(column: "nonce", as: String?.self))
    }

    private func refresh(_ request: TokenRequest, party: RelyingParty) async throws -> TokenResponse {
        guard let token = request.refreshToken, SessionStore.isWellFormed(token) else {
            throw TokenError("invalid_grant", "The refresh token is missing or malformed.")
        }
        let now = clock.now()
        // The next refresh token is stored in the same commit that uses up this one: one durable write a refresh.
        let next = SessionStore.randomToken()
        // Concurrent refreshes share one commit (group commit); each still returns only once its rotation is durable.
        let outcome: (grant: Grant?, reused: Bool)? = try await database.sharedTransaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT r.used_at AS token_used_at, r.expires_at AS token_expires_at, g.*
                    FROM identity_oidc_refresh_tokens r JOIN identity_oidc_grants g ON g.id = r.grant_id
                    WHERE r.token_hash = \(bind: SessionStore.hash(token))
                    """
                ).first()
            else { return nil }
            let grantID = try row.decode(column: "id", as: String.self)
            guard try row.decode(column: "client_id", as: String.self) == party.clientID else { return nil }
            if try row.decode(column: "token_used_at", as: Int64?.self) != nil {
                // A rotated-out refresh token came back: someone holds a copy. Revoke the whole family.
                try await sql.raw(
                    """
                    UPDATE identity_oidc_grants SET revoked_at = \(bind: Timestamp(now).microseconds)
                    WHERE id = \(bind: grantID) AND revoked_at IS NULL
                    """
                ).run()
                return (try Self.grant(from: row), true)
            }
            guard try row.decode(column: "revoked_at", as: Int64?.self) == nil,
                Timestamp(microseconds: try row.decode(column: "token_expires_at", as: Int64.self)).date > now
            else { return nil }
            try await sql.raw(
                """
                UPDATE identity_oidc_refresh_tokens SET used_at = \(bind: Timestamp(now).microseconds)
                WHERE token_hash = \(bind: SessionStore.hash(token))
                """
            ).run()
            try await Self.storeRefreshToken(next, grantID: grantID, at: now, in: sql)
            return (try Self.grant(from: row), false)
        }
        guard let outcome, let grant = outcome.grant else {
            throw TokenError("invalid_grant", "The refresh token is not valid.")
        }
        if outcome.reused {
            try await auditGrant("identity.oidc.refresh-reuse", grant: grant, party: party)
            throw TokenError("invalid_grant", "The refresh token was used already; its grant is revoked.")
        }
        return try await tokens(for: grant, party: party, nonce: nil, storedRefreshToken: next)
    }

    private func clientCredentials(_ request: TokenRequest, party: RelyingParty) async throws -> TokenResponse {
        guard !party.isPublic else {
            throw TokenError("unauthorized_client", "A public client cannot use client credentials.")
        }
        let asked = Set((request.scope ?? "").split(separator: " ").map(String.init))
        let allowed = party.scopes.subtracting([
            "openid", "profile", "address", "personal_number", "age", "offline_access",
        ])
        guard asked.isSubset(of: allowed) else {
            throw TokenError(
                "invalid_scope",
                "This client may not ask for: \(asked.subtracting(allowed).sorted().joined(separator: " ")).")
        }
        let now = clock.now()
        let signer = try await keys.current()
        let scope = asked.sorted().joined(separator: " ")
        let claims: [String: Any] = [
            "iss": issuer, "sub": party.clientID, "aud": issuer, "client_id": party.clientID, "scope": scope,
            "iat": Int(now.timeIntervalSince1970), "exp": Int(now.timeIntervalSince1970 + Self.tokenLifetime),
            "jti": SessionStore.randomToken(bytes: 16),
        ]
        let access = try await JSONWebSignature.sign(
            claims: claims, key: signer.key, keyID: signer.keyID, algorithm: signer.algorithm, type: "at+jwt")
        return TokenResponse(
            accessToken: access, expiresIn: Int(Self.tokenLifetime), refreshToken: nil, idToken: nil, scope: scope)
    }

    /// What a code exchange granted, and every refresh of it continues.
    struct Grant: Sendable {
        let id: String
        let clientID: String
        let person: PersonalNumber
        let scopes: String
        let claims: String?
        let methods: Set<AuthenticationMethod>
        let authTime: Date
    }

    func grant(_ id: String) async throws -> Grant? {
        guard
            let row = try await database.read({ sql in
                try await sql.raw("SELECT * FROM identity_oidc_grants WHERE id = \(bind: id) AND revoked_at IS NULL")
                    .first()
            })
        else { return nil }
        return try Self.grant(from: row)
    }

    /// The grant in a row of `identity_oidc_grants` (nil when it names no person).
    static func grant(from row: any SQLRow) throws -> Grant? {
        guard let personal = try row.decode(column: "personal_number", as: String?.self) else { return nil }
        return Grant(
            id: try row.decode(column: "id", as: String.self),
            clientID: try row.decode(column: "client_id", as: String.self),
            person: try PersonalNumber(personal),
            scopes: try row.decode(column: "scopes", as: String.self),
            claims: try row.decode(column: "claims", as: String?.self),
            methods: Set(
                try row.decode(column: "methods", as: String.self).split(separator: " ").compactMap {
                    AuthenticationMethod(rawValue: String($0))
                }),
            authTime: Timestamp(microseconds: try row.decode(column: "auth_time", as: Int64.self)).date)
    }

    /// A new access token, ID token and refresh token for `grant` (`storedRefreshToken` when the caller has
    /// stored one already).
    private func tokens(
        for grant: Grant, party: RelyingParty, nonce: String?, storedRefreshToken: String? = nil
    ) async throws -> TokenResponse {
        let now = clock.now()
        let signer = try await keys.current()
        let scopes = Set(grant.scopes.split(separator: " ").map(String.init))
        let (subject, act, principalClaims) = try await subjectAndClaims(of: grant, scopes: scopes)
        let level = AuthenticationMethod.level(of: grant.methods)
        let issued = Int(now.timeIntervalSince1970)
        let expires = Int(now.timeIntervalSince1970 + Self.tokenLifetime)
        var accessClaims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": issuer, "client_id": party.clientID, "scope": grant.scopes,
            "iat": issued, "exp": expires, "jti": SessionStore.randomToken(bytes: 16), "gid": grant.id,
            "auth_time": Int(grant.authTime.timeIntervalSince1970), "acr": level.acr,
        ]
        if let act { accessClaims["act"] = act }
        let access = try await JSONWebSignature.sign(
            claims: accessClaims, key: signer.key, keyID: signer.keyID, algorithm: signer.algorithm, type: "at+jwt")
        var idClaims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": party.clientID, "azp": party.clientID, "iat": issued, "exp": expires,
            "auth_time": Int(grant.authTime.timeIntervalSince1970), "acr": level.acr,
            "amr": grant.methods.map(\.rawValue).sorted(), "at_hash": Self.halfHash(access),
        ]
        if let nonce { idClaims["nonce"] = nonce }
        if let act { idClaims["act"] = act }
        for name in AuthorizationRequest.requestedClaims(grant.claims, in: "id_token") where party.mayReceive(name) {
            if let value = principalClaims[name] { idClaims[name] = value }
        }
        // The ID token is signed as the relying party registered (ES256 or EdDSA); access tokens stay ES256.
        let idSigner =
            party.idTokenSigningAlgorithm == signer.algorithm
            ? signer : try await keys.current(party.idTokenSigningAlgorithm)
        let idToken = try await JSONWebSignature.sign(
            claims: idClaims, key: idSigner.key, keyID: idSigner.keyID, algorithm: idSigner.algorithm)
        let refresh: String
        if let storedRefreshToken {
            refresh = storedRefreshToken
        } else {
            refresh = SessionStore.randomToken()
            try await database.transaction { sql in
                try await Self.storeRefreshToken(refresh, grantID: grant.id, at: now, in: sql)
            }
        }
        return TokenResponse(
            accessToken: access, expiresIn: Int(Self.tokenLifetime), refreshToken: refresh, idToken: idToken,
            scope: grant.scopes)
    }

    static func storeRefreshToken(_ token: String, grantID: String, at now: Date, in sql: any SQLDatabase) async throws
    {
        try await sql.raw(
            """
            INSERT INTO identity_oidc_refresh_tokens (token_hash, grant_id, issued_at, expires_at)
            VALUES (\(bind: SessionStore.hash(token)), \(bind: grantID), \(bind: Timestamp(now).microseconds),
                \(bind: Timestamp(now.addingTimeInterval(Self.refreshLifetime)).microseconds))
            """
        ).run()
    }

    /// The left half of the SHA-256 of `token`, base64url (Core §3.1.3.6 at_hash).
    static func halfHash(_ token: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data(token.utf8))).prefix(16))
    }

    /// RFC 7636 §4.1: the verifier's characters.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || [0x2D, 0x2E, 0x5F, 0x7E].contains(byte)
    }

    private func auditGrant(_ action: String, row: any SQLRow, party: RelyingParty) async throws {
        let person = try row.decode(column: "personal_number", as: String.self)
        _ = try await audit.append(
            AuditEvent(
                actor: AuditActor(kind: .machine, id: party.clientID), action: action,
                object: AuditObject(type: "oidc-client", id: party.clientID),
                subject: DataSubject(kind: "person", identifier: person), purpose: "OpenID Connect token request"))
    }

    private func auditGrant(_ action: String, grant: Grant, party: RelyingParty) async throws {
        _ = try await audit.append(
            AuditEvent(
                actor: AuditActor(kind: .machine, id: party.clientID), action: action,
                object: AuditObject(type: "oidc-grant", id: grant.id),
                subject: DataSubject(kind: "person", identifier: grant.person.rawValue),
                purpose: "tokens for \(grant.scopes)"))
    }
}

extension AuthorizationRequest {
    /// The claims a stored `claims` parameter asks for in `member`.
    static func requestedClaims(_ claims: String?, in member: String) -> [String] {
        guard let claims, let object = try? JSONSerialization.jsonObject(with: Data(claims.utf8)) as? [String: Any],
            let requested = object[member] as? [String: Any]
        else { return [] }
        return requested.keys.sorted()
    }
}
