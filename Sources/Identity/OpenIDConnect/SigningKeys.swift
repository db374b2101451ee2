public import CivitasCore
public import Foundation
import SQLKit
public import Storage
public import Trust
public import X509

/// The provider's token-signing keys, in the Trust key store (software or PKCS#11), with rotation.
///
/// One key signs at a time. ``rotate()`` makes a new one the signer; the old one stays in the JWKS for
/// ``publicationAfterRetirement`` so that tokens it signed still verify until they expire, and is then dropped
/// from the JWKS. Every node reads the same table, so a rotation on one node is seen by all on their next read.
public struct SigningKeys: Sendable {
    private let database: Database
    private let keyStore: any TrustKeyStore
    private let clock: any WallClock
    /// How long a retired key stays published: longer than any token it signed lives.
    public let publicationAfterRetirement: TimeInterval

    /// Creates the key set over its table and key store.
    public init(
        database: Database, keyStore: any TrustKeyStore, clock: any WallClock = SystemClock(),
        publicationAfterRetirement: TimeInterval = 24 * 3600
    ) {
        self.database = database
        self.keyStore = keyStore
        self.clock = clock
        self.publicationAfterRetirement = publicationAfterRetirement
    }

    /// A key that signs: its id, algorithm and private key.
    public struct Signer: Sendable {
        /// The `kid`.
        public let keyID: String
        /// The JWS algorithm.
        public let algorithm: JSONWebAlgorithm
        /// The private key (in the key store).
        public let key: Certificate.PrivateKey
    }

    /// The current signing key; the first call on a new installation creates it.
    public func current() async throws -> Signer {
        if let row = try await database.read({ sql in
            try await sql.raw(
                "SELECT kid FROM identity_oidc_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1"
            ).first()
        }) {
            let kid = try row.decode(column: "kid", as: String.self)
            return Signer(keyID: kid, algorithm: .es256, key: try await keyStore.key(named: Self.keyName(kid)))
        }
        return try await rotate()
    }

    /// Makes a new signing key current and retires the others (they stay published for a while).
    @discardableResult
    public func rotate() async throws -> Signer {
        let kid = Self.newKeyID(at: clock.now())
        let key = try await keyStore.generate(name: Self.keyName(kid), algorithm: .p256)
        let jwk = try JSONWebKey(publicKey: key.publicKey, kid: kid, algorithm: .es256)
        let encoded = String(decoding: try JSONEncoder().encode(jwk), as: UTF8.self)
        let now = Timestamp(clock.now()).microseconds
        try await database.transaction { sql in
            try await sql.raw("UPDATE identity_oidc_keys SET retired_at = \(bind: now) WHERE retired_at IS NULL").run()
            try await sql.raw(
                """
                INSERT INTO identity_oidc_keys (kid, algorithm, public_jwk, created_at)
                VALUES (\(bind: kid), \(bind: JSONWebAlgorithm.es256.rawValue), \(bind: encoded), \(bind: now))
                """
            ).run()
        }
        return Signer(keyID: kid, algorithm: .es256, key: key)
    }

    /// The published keys: the current one (made now if there is none yet) and those retired less than
    /// ``publicationAfterRetirement`` ago.
    public func published() async throws -> [JSONWebKey] {
        let keys = try await publishedRows()
        if !keys.isEmpty { return keys }
        _ = try await current()
        return try await publishedRows()
    }

    private func publishedRows() async throws -> [JSONWebKey] {
        let cutoff = Timestamp(clock.now().addingTimeInterval(-publicationAfterRetirement)).microseconds
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT public_jwk FROM identity_oidc_keys WHERE retired_at IS NULL OR retired_at > \(bind: cutoff)
                ORDER BY created_at DESC
                """
            ).all()
        }
        return try rows.map {
            try JSONDecoder().decode(
                JSONWebKey.self, from: Data(try $0.decode(column: "public_jwk", as: String.self).utf8))
        }
    }

    static func keyName(_ kid: String) -> String { "oidc/\(kid)" }

    /// A key id that sorts by creation and does not repeat: the date and random bits.
    static func newKeyID(at date: Date) -> String {
        "\(Timestamp(date).description.prefix(10))-\(SessionStore.randomToken(bytes: 6))"
    }
}
