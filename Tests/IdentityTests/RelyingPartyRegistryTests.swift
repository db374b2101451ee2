import Audit
import CivitasCore
import Foundation
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("The relying-party registry: change, disable, rotate, allowed claims, ID-token algorithm")
struct RelyingPartyRegistryTests {
    static let migrations = AuditLog.migrations + IdentityMigrations.all
    static let official = AuditActor(kind: .official, id: "1001011")

    static func portal(_ change: (inout RelyingParty) -> Void = { _ in }) -> RelyingParty {
        var party = RelyingParty(
            clientID: "tax-portal", name: "Revenue Service", logoURL: "https://rs.example/logo.png",
            redirectURIs: ["https://rs.example/cb"], postLogoutRedirectURIs: ["https://rs.example/bye"],
            scopes: ["openid", "profile"], authentication: .clientSecretBasic, requiredLevel: .substantial,
            allowedClaims: ["name", "birthdate"], idTokenSigningAlgorithm: .edDSA)
        change(&party)
        return party
    }

    static func liveGrants(_ database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM identity_oidc_grants WHERE revoked_at IS NULL").first()!
                .decode(column: "n", as: Int.self)
        }
    }

    @Test(
        "a registration keeps every setting; a change replaces them; both are audited",
        arguments: DatabaseEngine.allCases)
    func registerAndUpdate(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let audit = AuditLog(database: database)
            let registry = RelyingPartyRegistry(database: database, audit: audit)
            let secret = try #require(try await registry.register(Self.portal(), actor: Self.official))
            #expect(try await registry.party("tax-portal") == Self.portal())
            #expect(try await registry.isSecret(secret, of: "tax-portal"))

            let changed = Self.portal {
                $0.name = "Revenue Service (new)"
                $0.redirectURIs = ["https://rs.example/cb2", "http://127.0.0.1:9/cb"]
                $0.allowedClaims = nil
                $0.idTokenSigningAlgorithm = .es256
                $0.authentication = .clientSecretPost
            }
            #expect(try await registry.update(changed, actor: Self.official) == nil, "the secret is kept")
            #expect(try await registry.party("tax-portal") == changed)
            #expect(try await registry.isSecret(secret, of: "tax-portal"))
            let record = try #require(try await registry.record("tax-portal"))
            #expect(record.updatedAt != nil && record.isActive && record.hasSecret)

            let public_ = Self.portal { $0.authentication = .none }
            #expect(try await registry.update(public_, actor: Self.official) == nil)
            #expect(try await !registry.isSecret(secret, of: "tax-portal"), "a public client forgets its secret")
            let back = try #require(try await registry.update(changed, actor: Self.official), "a new secret")
            #expect(try await registry.isSecret(back, of: "tax-portal"))

            let head = try await audit.head()
            let entries = try await audit.entries(from: 1, limit: Int(head.sequence))
            let actions = entries.filter { $0.event.object.id == "tax-portal" }.map(\.event.action)
            #expect(actions == ["identity.client.register"] + Array(repeating: "identity.client.update", count: 3))
            #expect(
                entries.filter { $0.event.object.id == "tax-portal" }.allSatisfy { $0.event.actor == Self.official })
        }
    }

    @Test("bad input is refused field by field and changes nothing", arguments: DatabaseEngine.allCases)
    func refusals(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let registry = RelyingPartyRegistry(database: database, audit: AuditLog(database: database))
            try await registry.register(Self.portal(), actor: Self.official)
            let cases: [(RelyingParty, String?, RelyingPartyField)] = [
                (Self.portal { $0.redirectURIs = ["https://rs.example/cb#frag"] }, nil, .redirectURIs),
                (Self.portal { $0.redirectURIs = ["http://rs.example/cb"] }, nil, .redirectURIs),
                (Self.portal { $0.redirectURIs = [] }, nil, .redirectURIs),
                (Self.portal { $0.postLogoutRedirectURIs = ["https://*.rs.example/"] }, nil, .postLogoutRedirectURIs),
                (Self.portal { $0.logoURL = "http://rs.example/logo.png" }, nil, .logoURL),
                (Self.portal { $0.name = "  " }, nil, .name),
                (Self.portal { $0.scopes = ["openid", "bad\"scope"] }, nil, .scopes),
                (Self.portal { $0.allowedClaims = ["name", "salary"] }, nil, .allowedClaims),
                (Self.portal { $0.idTokenSigningAlgorithm = .rs256 }, nil, .idTokenSigningAlgorithm),
                (Self.portal { $0.authentication = .privateKeyJWT }, nil, .jwks),
                (Self.portal { $0.authentication = .privateKeyJWT }, #"{"keys":[{"kty":"OKP","d":"x"}]}"#, .jwks),
                (Self.portal { $0.authentication = .privateKeyJWT }, "not json", .jwks),
            ]
            for (party, jwks, field) in cases {
                #expect(RelyingPartyRegistry.violations(of: party, jwks: jwks)[field] != nil, "\(field)")
                let refused = await #expect(throws: IdentityError.self) {
                    try await registry.update(party, jwks: jwks, actor: Self.official)
                }
                #expect(refused?.code == .invalidRecord)
                #expect(refused?.message.hasPrefix(field.rawValue) == true, "\(refused?.message ?? "")")
            }
            #expect(try await registry.party("tax-portal") == Self.portal(), "nothing changed")
            let bad = Self.portal { $0.clientID = "a:b" }
            #expect(RelyingPartyRegistry.violations(of: bad, jwks: nil)[.clientID] != nil)
            let unknown = await #expect(throws: IdentityError.self) {
                try await registry.update(Self.portal { $0.clientID = "nobody" }, actor: Self.official)
            }
            #expect(unknown?.code == .notFound)
            let taken = await #expect(throws: IdentityError.self) {
                try await registry.register(Self.portal(), actor: Self.official)
            }
            #expect(taken?.code == .alreadyRegistered)
        }
    }

    @Test(
        "a rotated secret replaces the old one; a client without a secret has none to rotate",
        arguments: DatabaseEngine.allCases)
    func rotateSecret(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let registry = RelyingPartyRegistry(database: database, audit: AuditLog(database: database))
            let old = try #require(try await registry.register(Self.portal(), actor: Self.official))
            let new = try await registry.rotateSecret(of: "tax-portal", actor: Self.official)
            #expect(new != old)
            #expect(try await registry.isSecret(new, of: "tax-portal"))
            #expect(try await !registry.isSecret(old, of: "tax-portal"))
            try await registry.register(
                Self.portal {
                    $0.clientID = "app"
                    $0.authentication = .none
                }, actor: Self.official)
            let none = await #expect(throws: IdentityError.self) {
                try await registry.rotateSecret(of: "app", actor: Self.official)
            }
            #expect(none?.code == .invalidTransition)
            let unknown = await #expect(throws: IdentityError.self) {
                try await registry.rotateSecret(of: "nobody", actor: Self.official)
            }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test(
        "a disabled client is not found, its grants are revoked, and it cannot be changed",
        arguments: DatabaseEngine.allCases)
    func disable(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let registry = RelyingPartyRegistry(database: database, audit: AuditLog(database: database))
            let secret = try #require(try await registry.register(Self.portal(), actor: Self.official))
            try await database.transaction { sql in
                try await sql.raw(
                    """
                    INSERT INTO identity_oidc_grants (id, client_id, personal_number, scopes, methods, auth_time,
                        created_at)
                    VALUES ('g1', 'tax-portal', '1001011', 'openid', 'pwd', 0, 0)
                    """
                ).run()
            }
            try await registry.disable("tax-portal", actor: Self.official)
            #expect(try await registry.party("tax-portal") == nil)
            #expect(try await !registry.isSecret(secret, of: "tax-portal"))
            #expect(try await registry.all().isEmpty)
            let record = try #require(try await registry.record("tax-portal"))
            #expect(!record.isActive)
            #expect(try await registry.records().count == 1)
            #expect(try await Self.liveGrants(database) == 0)
            for attempt in [
                { try await registry.disable("tax-portal", actor: Self.official) },
                { _ = try await registry.rotateSecret(of: "tax-portal", actor: Self.official) },
                { _ = try await registry.update(Self.portal(), actor: Self.official) },
            ] as [@Sendable () async throws -> Void] {
                let refused = await #expect(throws: IdentityError.self) { try await attempt() }
                #expect(refused?.code == .invalidTransition)
            }
            let unknown = await #expect(throws: IdentityError.self) {
                try await registry.disable("nobody", actor: Self.official)
            }
            #expect(unknown?.code == .notFound)
        }
    }
}
