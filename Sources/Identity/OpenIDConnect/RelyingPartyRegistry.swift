public import Audit
public import CivitasCore
import Crypto
import Foundation
import SQLKit
public import Storage

/// The registry of relying parties: registration, lookup, secrets and keys.
///
/// Secrets are 32 random bytes shown once at registration; the table keeps their SHA-256 (a secret of that
/// entropy needs no slow hash). Every change is audited under the official who made it.
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
    @discardableResult
    public func register(_ party: RelyingParty, jwks: String? = nil, actor: AuditActor) async throws -> String? {
        try Self.check(party)
        var secret: String?
        if party.authentication == .clientSecretBasic || party.authentication == .clientSecretPost {
            secret = SessionStore.randomToken()
        }
        if party.authentication == .privateKeyJWT {
            guard let jwks, let keys = try? Self.decodeKeys(jwks), !keys.isEmpty else {
                throw IdentityError(.invalidRecord, "private_key_jwt needs the client's public keys (a JWKS)")
            }
        }
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
                    scopes, authentication, secret_hash, jwks, required_level, created_at)
                VALUES (\(bind: party.clientID), \(bind: party.name), \(bind: party.logoURL),
                    \(bind: party.redirectURIs.joined(separator: "\n")),
                    \(bind: party.postLogoutRedirectURIs.joined(separator: "\n")),
                    \(bind: party.scopes.sorted().joined(separator: " ")), \(bind: party.authentication.rawValue),
                    \(bind: secretHash), \(bind: jwks), \(bind: party.requiredLevel.rawValue), \(bind: now))
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

    /// The relying party `clientID`, if registered and not disabled.
    public func party(_ clientID: String) async throws -> RelyingParty? {
        try await row(clientID).map(Self.party(from:))
    }

    /// Every registered relying party, by name.
    public func all() async throws -> [RelyingParty] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_oidc_clients WHERE disabled_at IS NULL ORDER BY name").all()
        }.map(Self.party(from:))
    }

    /// Whether `secret` is the client's secret (compared in constant time).
    public func isSecret(_ secret: String, of clientID: String) async throws -> Bool {
        guard let row = try await row(clientID),
            let stored = try row.decode(column: "secret_hash", as: String?.self)
        else { return false }
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

    static func decodeKeys(_ jwks: String) throws -> [JSONWebKey] {
        struct Set: Decodable { let keys: [JSONWebKey] }
        return try JSONDecoder().decode(Set.self, from: Data(jwks.utf8)).keys
    }

    /// Refuses what would make the relying party unsafe: redirect URIs that are not absolute https (or
    /// http on loopback, for development), with fragments or wildcards; a public client at a level it cannot
    /// check; an id that is not a plain token.
    static func check(_ party: RelyingParty) throws {
        guard (1...128).contains(party.clientID.utf8.count),
            party.clientID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A })
        else { throw IdentityError(.invalidRecord, "a client id is 1 to 128 printable characters without ':'") }
        guard !party.name.isEmpty, party.name.count <= 100 else {
            throw IdentityError(.invalidRecord, "a relying party's name has 1 to 100 characters")
        }
        guard !party.redirectURIs.isEmpty else {
            throw IdentityError(.invalidRecord, "register at least one redirect URI")
        }
        for uri in party.redirectURIs + party.postLogoutRedirectURIs {
            guard Self.isAcceptableRedirect(uri) else {
                throw IdentityError(.invalidRecord, "\(uri) is not an absolute https URI without a fragment")
            }
        }
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
            requiredLevel: LevelOfAssurance(rawValue: try row.decode(column: "required_level", as: Int.self)) ?? .high)
    }
}
