public import Audit
public import CivitasCore
import Crypto
import Foundation
import SQLKit
public import Storage

/// The registry of API clients in `trust_api_clients`: registration, listing, revocation and authentication.
///
/// A token is `civ_` and 43 base64url characters (32 random bytes); only its SHA-256 is stored, and a request is
/// authenticated by looking that hash up, so nothing secret is compared byte by byte and a copy of the table
/// grants nothing. Registration and revocation are audit entries written in the same transaction.
public struct APIClientRegistry: Sendable {
    private let database: Database
    private let audit: AuditLog
    private let clock: any WallClock

    /// The prefix of every token, so that secret scanners and people recognise one.
    public static let tokenPrefix = "civ_"

    /// Creates the registry.
    public init(database: Database, audit: AuditLog, clock: any WallClock = SystemClock()) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Registers a client and returns it with its token, which is shown this once and never stored.
    ///
    /// - Throws: ``TrustError`` `.invalidRequest` for an empty or over-long name, no scopes, or a profile that
    ///   is not a signing or sealing profile.
    public func create(
        name: String, scopes: Set<APIScope>, profiles: [CertificateProfile] = [.citizenQualifiedSignature],
        actor: AuditActor
    ) async throws -> (client: APIClient, token: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200, !name.contains(where: \.isNewline) else {
            throw TrustError(.invalidRequest, "a client name is 1 to 200 characters on one line")
        }
        guard !scopes.isEmpty else {
            throw TrustError(.invalidRequest, "a client needs at least one scope")
        }
        if let other = profiles.first(where: { !APIClient.remoteSigningProfiles.contains($0) }) {
            throw TrustError(
                .invalidRequest,
                "a client may be allowed only "
                    + APIClient.remoteSigningProfiles.map(\.rawValue).joined(separator: " and ")
                    + " certificates, not \(other.rawValue)")
        }
        var profileList: [CertificateProfile] = []
        for profile in profiles where !profileList.contains(profile) { profileList.append(profile) }
        let id = "client-" + Hex.encode(Self.randomBytes(8))
        let token = Self.tokenPrefix + Self.base64URL(Self.randomBytes(32))
        let created = clock.now()
        let client = APIClient(
            id: id, name: name, scopes: scopes, profiles: profileList, createdAt: created, revokedAt: nil)
        let audit = self.audit
        let profileNames = profileList.map(\.rawValue).joined(separator: " ")
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO trust_api_clients (id, name, token_hash, scopes, profiles, created_at, revoked_at)
                VALUES (\(bind: id), \(bind: name), \(bind: Data(Self.hash(token))),
                    \(bind: Self.encode(scopes)), \(bind: profileNames),
                    \(bind: Timestamp(created).microseconds), NULL)
                """
            ).run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "trust.client.create", object: AuditObject(type: "api-client", id: id),
                    purpose: "register API client \(name) with scopes \(Self.encode(scopes))"),
                in: sql)
        }
        return (client, token)
    }

    /// Every client, oldest first.
    public func list() async throws -> [APIClient] {
        let rows = try await database.read { sql in
            try await sql.raw(
                "SELECT id, name, scopes, profiles, created_at, revoked_at FROM trust_api_clients ORDER BY created_at, id"
            ).all()
        }
        return try rows.map(Self.client)
    }

    /// Revokes the client `id`: its token stops working at once, on every node.
    ///
    /// - Throws: ``TrustError`` `.notFound`, or `.invalidTransition` if it is revoked already.
    @discardableResult
    public func revoke(id: String, actor: AuditActor) async throws -> APIClient {
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            let row = try await sql.raw("SELECT revoked_at FROM trust_api_clients WHERE id = \(bind: id)").first()
            guard let row else { throw TrustError(.notFound, "no API client \(id)") }
            guard try row.decode(column: "revoked_at", as: Int64?.self) == nil else {
                throw TrustError(.invalidTransition, "the API client \(id) is revoked already")
            }
            try await sql.raw("UPDATE trust_api_clients SET revoked_at = \(bind: now) WHERE id = \(bind: id)").run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "trust.client.revoke", object: AuditObject(type: "api-client", id: id),
                    purpose: "revoke API client"),
                in: sql)
        }
        guard let client = try await client(id: id) else { throw TrustError(.notFound, "no API client \(id)") }
        return client
    }

    /// The client `id`, or `nil`.
    public func client(id: String) async throws -> APIClient? {
        let row = try await database.read { sql in
            try await sql.raw(
                "SELECT id, name, scopes, profiles, created_at, revoked_at FROM trust_api_clients WHERE id = \(bind: id)"
            ).first()
        }
        return try row.map(Self.client)
    }

    /// The active client whose token this is.
    ///
    /// - Throws: ``TrustError`` `.unauthenticated` for a malformed, unknown or revoked token (one message for
    ///   all three, so that a caller learns nothing about which tokens exist).
    public func authenticate(token: String) async throws -> APIClient {
        let refused = TrustError(.unauthenticated, "the token is not a valid API client token")
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count <= 128 else { throw refused }
        let hash = Data(Self.hash(token))
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, name, scopes, profiles, created_at, revoked_at FROM trust_api_clients
                WHERE token_hash = \(bind: hash)
                """
            ).first()
        }
        guard let row, case let client = try Self.client(row), client.isActive else { throw refused }
        return client
    }

    static func hash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    static func encode(_ scopes: Set<APIScope>) -> String {
        APIScope.allCases.filter(scopes.contains).map(\.rawValue).joined(separator: " ")
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func client(_ row: any SQLRow) throws -> APIClient {
        let scopes = try row.decode(column: "scopes", as: String.self).split(separator: " ")
            .compactMap { APIScope(rawValue: String($0)) }
        let profiles = try row.decode(column: "profiles", as: String.self).split(separator: " ")
            .compactMap { CertificateProfile(rawValue: String($0)) }
        return APIClient(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            scopes: Set(scopes), profiles: profiles,
            createdAt: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date,
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map { Timestamp(microseconds: $0).date })
    }
}
