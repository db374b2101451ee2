public import Audit
public import CivitasCore
import Crypto
import Foundation
import SQLKit
public import Storage

/// The registry of relying parties: registration, change, disabling, lookup, secrets and keys.
///
/// Secrets are 32 random bytes shown once at registration or rotation; the table keeps their SHA-256 (a secret of
/// that entropy needs no slow hash). Every change is audited under the official who made it, in the same
/// transaction. A disabled relying party stays in the table (its history is the audit trail's), but
/// ``party(_:)`` no longer finds it, so it cannot authorize or authenticate, and its grants are revoked, so the
/// tokens it holds stop working.
public struct RelyingPartyRegistry: Sendable {
    private let database: Database
    private let audit: AuditLog
    private let clock: any WallClock

    /// Creates the registry.
    public init(database: Database, audit: AuditLog, clock: any WallClock = SystemClock()) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Registers `party`; returns its client secret when it authenticates with one.
    ///
    /// - Parameter jwks: the client's public keys (a JWKS JSON document), for `private_key_jwt`.
    /// - Throws: ``IdentityError`` `.invalidRecord` (see ``violations(of:jwks:)``), `.alreadyRegistered`.
    @discardableResult
    public func register(_ party: RelyingParty, jwks: String? = nil, actor: AuditActor) async throws -> String? {
        try Self.check(party, jwks: jwks)
        let secret = party.usesSecret ? SessionStore.randomToken() : nil
        let jwks = party.authentication == .privateKeyJWT ? jwks : nil
        let audit = self.audit
        let now = Timestamp(clock.now()).microseconds
        let secretHash = secret.map(SessionStore.hash)
        try await database.transaction { sql in
            let existing = try await sql.raw(
                "SELECT 1 AS n FROM identity_oidc_clients WHERE client_id = \(bind: party.clientID)"
            ).first()
            guard existing == nil else {
                throw IdentityError(.alreadyRegistered, "client \(party.clientID) is registered already")
            }
            try await sql.raw(
                """
                INSERT INTO identity_oidc_clients (client_id, name, logo_url, redirect_uris, post_logout_redirect_uris,
                    scopes, authentication, secret_hash, jwks, required_level, created_at, allowed_claims, id_token_alg)
                VALUES (\(bind: party.clientID), \(bind: party.name), \(bind: party.logoURL),
                    \(bind: party.redirectURIs.joined(separator: "\n")),
                    \(bind: party.postLogoutRedirectURIs.joined(separator: "\n")),
                    \(bind: party.scopes.sorted().joined(separator: " ")), \(bind: party.authentication.rawValue),
                    \(bind: secretHash), \(bind: jwks), \(bind: party.requiredLevel.rawValue), \(bind: now),
                    \(bind: party.allowedClaims.map { $0.sorted().joined(separator: " ") }),
                    \(bind: party.idTokenSigningAlgorithm.rawValue))
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.client.register",
                    object: AuditObject(type: "oidc-client", id: party.clientID),
                    purpose: "register the relying party \(party.name)"), in: sql)
        }
        return secret
    }

    /// Changes the settings of the active relying party `party.clientID` to `party`'s.
    ///
    /// Returns a new client secret when the change makes it authenticate with a secret and it had none; a change
    /// away from secrets forgets the old one, and a change away from `private_key_jwt` forgets the keys.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord`, `.notFound`, or `.invalidTransition` when it is disabled.
    @discardableResult
    public func update(_ party: RelyingParty, jwks: String? = nil, actor: AuditActor) async throws -> String? {
        try Self.check(party, jwks: jwks)
        let jwks = party.authentication == .privateKeyJWT ? jwks : nil
        let audit = self.audit
        let now = Timestamp(clock.now()).microseconds
        let fresh = SessionStore.randomToken()
        return try await database.transaction { sql in
            let row = try await Self.lockedRow(party.clientID, sql)
            let stored = try row.decode(column: "secret_hash", as: String?.self)
            var secret: String?
            var secretHash: String?
            if party.usesSecret {
                if let stored {
                    secretHash = stored
                } else {
                    secret = fresh
                    secretHash = SessionStore.hash(fresh)
                }
            }
            try await sql.raw(
                """
                UPDATE identity_oidc_clients SET name = \(bind: party.name), logo_url = \(bind: party.logoURL),
                    redirect_uris = \(bind: party.redirectURIs.joined(separator: "\n")),
                    post_logout_redirect_uris = \(bind: party.postLogoutRedirectURIs.joined(separator: "\n")),
                    scopes = \(bind: party.scopes.sorted().joined(separator: " ")),
                    authentication = \(bind: party.authentication.rawValue), secret_hash = \(bind: secretHash),
                    jwks = \(bind: jwks), required_level = \(bind: party.requiredLevel.rawValue),
                    allowed_claims = \(bind: party.allowedClaims.map { $0.sorted().joined(separator: " ") }),
                    id_token_alg = \(bind: party.idTokenSigningAlgorithm.rawValue), updated_at = \(bind: now)
                WHERE client_id = \(bind: party.clientID)
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.client.update",
                    object: AuditObject(type: "oidc-client", id: party.clientID),
                    purpose: "change the relying party \(party.name)"), in: sql)
            return secret
        }
    }

    /// Disables the relying party `clientID`: it can no longer authorize or authenticate, its grants are revoked
    /// (so its refresh and access tokens stop working) and its unused codes are dropped.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, or `.invalidTransition` when it is disabled already.
    public func disable(_ clientID: String, actor: AuditActor) async throws {
        let audit = self.audit
        let now = Timestamp(clock.now()).microseconds
        try await database.transaction { sql in
            _ = try await Self.lockedRow(clientID, sql)
            try await sql.raw(
                """
                UPDATE identity_oidc_clients SET disabled_at = \(bind: now), updated_at = \(bind: now)
                WHERE client_id = \(bind: clientID)
                """
            ).run()
            try await sql.raw(
                """
                UPDATE identity_oidc_grants SET revoked_at = \(bind: now)
                WHERE client_id = \(bind: clientID) AND revoked_at IS NULL
                """
            ).run()
            try await sql.raw("DELETE FROM identity_oidc_codes WHERE client_id = \(bind: clientID)").run()
            try await sql.raw("DELETE FROM identity_oidc_requests WHERE client_id = \(bind: clientID)").run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.client.disable",
                    object: AuditObject(type: "oidc-client", id: clientID),
                    purpose: "disable the relying party and revoke its grants"), in: sql)
        }
    }

    /// Replaces the client secret of `clientID` with a new one, returned this once; the old one stops working.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, or `.invalidTransition` when it is disabled or uses no secret.
    public func rotateSecret(of clientID: String, actor: AuditActor) async throws -> String {
        let secret = SessionStore.randomToken()
        let audit = self.audit
        let now = Timestamp(clock.now()).microseconds
        try await database.transaction { sql in
            let row = try await Self.lockedRow(clientID, sql)
            let method = ClientAuthentication(rawValue: try row.decode(column: "authentication", as: String.self))
            guard method == .clientSecretBasic || method == .clientSecretPost else {
                throw IdentityError(.invalidTransition, "the client \(clientID) authenticates without a secret")
            }
            try await sql.raw(
                """
                UPDATE identity_oidc_clients SET secret_hash = \(bind: SessionStore.hash(secret)),
                    updated_at = \(bind: now)
                WHERE client_id = \(bind: clientID)
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.client.rotate-secret",
                    object: AuditObject(type: "oidc-client", id: clientID), purpose: "replace the client secret"),
                in: sql)
        }
        return secret
    }

    /// The relying party `clientID`, if registered and not disabled.
    public func party(_ clientID: String) async throws -> RelyingParty? {
        try await row(clientID).map(Self.party(from:))
    }

    /// Every active relying party, by name.
    public func all() async throws -> [RelyingParty] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_oidc_clients WHERE disabled_at IS NULL ORDER BY name").all()
        }.map(Self.party(from:))
    }

    /// The record of `clientID`, disabled or not.
    public func record(_ clientID: String) async throws -> RegisteredRelyingParty? {
        guard clientID.utf8.count <= 128 else { return nil }
        return try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_oidc_clients WHERE client_id = \(bind: clientID)").first()
        }.map(Self.record(from:))
    }

    /// Every relying party ever registered, active ones first, then by name.
    public func records() async throws -> [RegisteredRelyingParty] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_oidc_clients ORDER BY name, client_id").all()
        }.map(Self.record(from:)).sorted { $0.isActive && !$1.isActive }
    }

    /// Whether `secret` is the client's secret (compared in constant time).
    public func isSecret(_ secret: String, of clientID: String) async throws -> Bool {
        guard let row = try await row(clientID) else { return false }
        return try Self.matches(secret, row: row)
    }

    /// The active relying party `clientID` when `secret` is its secret, in one read; `nil` otherwise.
    public func party(_ clientID: String, secret: String) async throws -> RelyingParty? {
        guard let row = try await row(clientID), try Self.matches(secret, row: row) else { return nil }
        return try Self.party(from: row)
    }

    private static func matches(_ secret: String, row: any SQLRow) throws -> Bool {
        guard let stored = try row.decode(column: "secret_hash", as: String?.self) else { return false }
        let given = Array(SessionStore.hash(secret).utf8)
        let expected = Array(stored.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The client's registered public keys (for `private_key_jwt`).
    public func keys(of clientID: String) async throws -> [JSONWebKey] {
        guard let row = try await row(clientID), let jwks = try row.decode(column: "jwks", as: String?.self) else {
            return []
        }
        return try Self.decodeKeys(jwks)
    }

    private func row(_ clientID: String) async throws -> (any SQLRow)? {
        guard clientID.utf8.count <= 128 else { return nil }
        return try await database.read { sql in
            try await sql.raw(
                "SELECT * FROM identity_oidc_clients WHERE client_id = \(bind: clientID) AND disabled_at IS NULL"
            ).first()
        }
    }

    /// The active client's row inside a transaction that changes it.
    private static func lockedRow(_ clientID: String, _ sql: any SQLDatabase) async throws -> any SQLRow {
        guard clientID.utf8.count <= 128,
            let row = try await sql.raw("SELECT * FROM identity_oidc_clients WHERE client_id = \(bind: clientID)")
                .first()
        else { throw IdentityError(.notFound, "no relying party \(clientID)") }
        guard try row.decode(column: "disabled_at", as: Int64?.self) == nil else {
            throw IdentityError(.invalidTransition, "the relying party \(clientID) is disabled")
        }
        return row
    }

    static func decodeKeys(_ jwks: String) throws -> [JSONWebKey] {
        struct Set: Decodable { let keys: [JSONWebKey] }
        return try JSONDecoder().decode(Set.self, from: Data(jwks.utf8)).keys
    }

    /// The claims a relying party may be allowed: those the scopes give.
    public static var knownClaims: Set<String> { Set(OpenIDProvider.claimsByScope.values.flatMap { $0 }) }

    /// Refuses what would make the relying party unsafe; throws for the first field in error.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord`, whose message starts with the field's RFC 7591 name.
    public static func check(_ party: RelyingParty, jwks: String? = nil) throws {
        let found = violations(of: party, jwks: jwks)
        if let field = RelyingPartyField.allCases.first(where: { found[$0] != nil }) {
            throw IdentityError(.invalidRecord, "\(field.rawValue): \(found[field]!)")
        }
    }

    /// Every field of `party` in error, with why: an id that is not a plain token; a name that is empty or long;
    /// redirect URIs that are not absolute https (or http on loopback, for development), with fragments or
    /// wildcards; a logo that is not https; scopes that are not RFC 6749 scope tokens; claims no scope gives;
    /// `private_key_jwt` without public keys; an ID-token algorithm the provider does not sign with.
    public static func violations(of party: RelyingParty, jwks: String?) -> [RelyingPartyField: String] {
        var found: [RelyingPartyField: String] = [:]
        if !(1...128).contains(party.clientID.utf8.count)
            || !party.clientID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A && $0 != 0x2F })
        {
            found[.clientID] = "a client id is 1 to 128 printable characters without ':' or '/'"
        }
        let name = party.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || party.name.count > 100 || party.name.contains(where: \.isNewline) {
            found[.name] = "a relying party's name has 1 to 100 characters on one line"
        }
        if let logo = party.logoURL {
            if logo.utf8.count > 2048 || URLComponents(string: logo)?.scheme != "https"
                || (URLComponents(string: logo)?.host ?? "").isEmpty
            {
                found[.logoURL] = "a logo is an absolute https URL"
            }
        }
        if party.redirectURIs.isEmpty || party.redirectURIs.count > 20 {
            found[.redirectURIs] = "register 1 to 20 redirect URIs"
        } else if let bad = party.redirectURIs.first(where: { !isAcceptableRedirect($0) }) {
            found[.redirectURIs] = "\(bad) is not an absolute https URI without a fragment"
        }
        if party.postLogoutRedirectURIs.count > 20 {
            found[.postLogoutRedirectURIs] = "register at most 20 post-logout redirect URIs"
        } else if let bad = party.postLogoutRedirectURIs.first(where: { !isAcceptableRedirect($0) }) {
            found[.postLogoutRedirectURIs] = "\(bad) is not an absolute https URI without a fragment"
        }
        if party.scopes.count > 50 || party.scopes.contains(where: { !isScopeToken($0) }) {
            found[.scopes] = "scopes are at most 50 tokens of 1 to 64 printable characters without spaces or quotes"
        }
        if let claims = party.allowedClaims, let unknown = claims.subtracting(knownClaims).sorted().first {
            found[.allowedClaims] = "\(unknown) is not a claim any scope gives"
        }
        if party.authentication == .privateKeyJWT {
            let keys = jwks.flatMap { try? decodeKeys($0) } ?? []
            if keys.isEmpty || (jwks?.utf8.count ?? 0) > 64 * 1024 {
                found[.jwks] = "private_key_jwt needs the client's public keys (a JWKS without private members)"
            }
        }
        if !SigningKeys.algorithms.contains(party.idTokenSigningAlgorithm) {
            found[.idTokenSigningAlgorithm] =
                "ID tokens are signed with " + SigningKeys.algorithms.map(\.rawValue).joined(separator: " or ")
        }
        return found
    }

    /// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`, here at most 64 characters.
    static func isScopeToken(_ scope: String) -> Bool {
        (1...64).contains(scope.utf8.count)
            && scope.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
    }

    static func isAcceptableRedirect(_ uri: String) -> Bool {
        guard uri.utf8.count <= 2048, !uri.contains("*"), !uri.contains("#"),
            let components = URLComponents(string: uri),
            let host = components.host, !host.isEmpty
        else { return false }
        if components.scheme == "https" { return true }
        return components.scheme == "http" && (host == "127.0.0.1" || host == "localhost" || host == "[::1]")
    }

    static func party(from row: any SQLRow) throws -> RelyingParty {
        func lines(_ column: String) throws -> [String] {
            try row.decode(column: column, as: String.self).split(separator: "\n").map(String.init)
        }
        return RelyingParty(
            clientID: try row.decode(column: "client_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            logoURL: try row.decode(column: "logo_url", as: String?.self), redirectURIs: try lines("redirect_uris"),
            postLogoutRedirectURIs: try lines("post_logout_redirect_uris"),
            scopes: Set(try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init)),
            authentication: ClientAuthentication(rawValue: try row.decode(column: "authentication", as: String.self))
                ?? .none,
            requiredLevel: LevelOfAssurance(rawValue: try row.decode(column: "required_level", as: Int.self)) ?? .high,
            allowedClaims: try row.decode(column: "allowed_claims", as: String?.self).map {
                Set($0.split(separator: " ").map(String.init))
            },
            idTokenSigningAlgorithm: JSONWebAlgorithm(rawValue: try row.decode(column: "id_token_alg", as: String.self))
                ?? .es256)
    }

    static func record(from row: any SQLRow) throws -> RegisteredRelyingParty {
        RegisteredRelyingParty(
            party: try party(from: row), jwks: try row.decode(column: "jwks", as: String?.self),
            hasSecret: try row.decode(column: "secret_hash", as: String?.self) != nil,
            createdAt: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date,
            updatedAt: try row.decode(column: "updated_at", as: Int64?.self).map { Timestamp(microseconds: $0).date },
            disabledAt: try row.decode(column: "disabled_at", as: Int64?.self).map { Timestamp(microseconds: $0).date })
    }
}
