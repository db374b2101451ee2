public import CivitasCore
public import Foundation
import SQLKit
public import Storage
import Synchronization
public import Trust
public import X509

/// The provider's token-signing keys, in the Trust key store (software or PKCS#11), with rotation.
///
/// One key per algorithm signs at a time: an ES256 key (every access token, and the ID tokens of most relying
/// parties) and an Ed25519 key (the ID tokens of relying parties registered with `EdDSA`). ``rotate()`` makes a
/// new key of each algorithm the signer; the old ones stay in the JWKS for ``publicationAfterRetirement`` so that
/// tokens they signed still verify until they expire, and are then dropped from the JWKS. Every node reads the same
/// table, so a rotation on one node is seen by every other within ``currentKeyReuse`` (the current key is read and
/// unsealed once per interval, not for every token; the key it replaces stays published, so nothing it signs in
/// that interval fails to verify).
public struct SigningKeys: Sendable {
    private let database: Database
    private let keyStore: any TrustKeyStore
    private let clock: any WallClock
    private let currentKeys = CurrentKeys()
    /// How long a read current key is reused before the table is asked again.
    public static let currentKeyReuse: TimeInterval = 10

    /// The current signer per algorithm, as last read, with when.
    final class CurrentKeys: Sendable {
        let signers = Mutex<[JSONWebAlgorithm: (signer: Signer, readAt: Date)]>([:])
    }
    /// How long a retired key stays published: longer than any token it signed lives.
    public let publicationAfterRetirement: TimeInterval

    /// The algorithms the provider signs with, each with a current key.
    public static let algorithms: [JSONWebAlgorithm] = [.es256, .edDSA]

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

    /// The current signing key for `algorithm` (ES256 by default); the first call for an algorithm creates it.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord` for an algorithm the provider does not sign with.
    public func current(_ algorithm: JSONWebAlgorithm = .es256) async throws -> Signer {
        let now = clock.now()
        if let kept = currentKeys.signers.withLock({ $0[algorithm] }),
            now.timeIntervalSince(kept.readAt) < Self.currentKeyReuse, now >= kept.readAt
        {
            return kept.signer
        }
        let signer = try await readCurrent(algorithm)
        currentKeys.signers.withLock { $0[algorithm] = (signer, now) }
        return signer
    }

    private func readCurrent(_ algorithm: JSONWebAlgorithm) async throws -> Signer {
        if let row = try await database.read({ sql in
            try await sql.raw(
                """
                SELECT kid FROM identity_oidc_keys WHERE retired_at IS NULL AND algorithm = \(bind: algorithm.rawValue)
                ORDER BY created_at DESC LIMIT 1
                """
            ).first()
        }) {
            let kid = try row.decode(column: "kid", as: String.self)
            return Signer(keyID: kid, algorithm: algorithm, key: try await keyStore.key(named: Self.keyName(kid)))
        }
        return try await rotate(algorithm)
    }

    /// Makes a new signing key of every algorithm current and retires the others (they stay published for a while).
    @discardableResult
    public func rotate() async throws -> [Signer] {
        var signers: [Signer] = []
        for algorithm in Self.algorithms { signers.append(try await rotate(algorithm)) }
        return signers
    }

    /// Makes a new `algorithm` key current and retires the older keys of that algorithm.
    @discardableResult
    public func rotate(_ algorithm: JSONWebAlgorithm) async throws -> Signer {
        defer { currentKeys.signers.withLock { $0[algorithm] = nil } }
        let keyAlgorithm: KeyAlgorithm
        switch algorithm {
        case .es256: keyAlgorithm = .p256
        case .edDSA: keyAlgorithm = .ed25519
        case .es384, .rs256:
            throw IdentityError(.invalidRecord, "the provider does not sign with \(algorithm.rawValue)")
        }
        let kid = Self.newKeyID(at: clock.now())
        let key = try await keyStore.generate(name: Self.keyName(kid), algorithm: keyAlgorithm)
        let jwk = try JSONWebKey(publicKey: key.publicKey, kid: kid, algorithm: algorithm)
        let encoded = String(decoding: try JSONEncoder().encode(jwk), as: UTF8.self)
        let now = Timestamp(clock.now()).microseconds
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE identity_oidc_keys SET retired_at = \(bind: now)
                WHERE retired_at IS NULL AND algorithm = \(bind: algorithm.rawValue)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_oidc_keys (kid, algorithm, public_jwk, created_at)
                VALUES (\(bind: kid), \(bind: algorithm.rawValue), \(bind: encoded), \(bind: now))
                """
            ).run()
        }
        return Signer(keyID: kid, algorithm: algorithm, key: key)
    }

    /// The published keys: the current one of each algorithm (made now if there is none yet) and those retired
    /// less than ``publicationAfterRetirement`` ago.
    public func published() async throws -> [JSONWebKey] {
        let (keys, current) = try await publishedRows()
        let missing = Self.algorithms.filter { !current.contains($0) }
        if missing.isEmpty { return keys }
        for algorithm in missing { _ = try await self.current(algorithm) }
        return try await publishedRows().keys
    }

    private func publishedRows() async throws -> (keys: [JSONWebKey], current: Set<JSONWebAlgorithm>) {
        let cutoff = Timestamp(clock.now().addingTimeInterval(-publicationAfterRetirement)).microseconds
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT algorithm, public_jwk, retired_at FROM identity_oidc_keys
                WHERE retired_at IS NULL OR retired_at > \(bind: cutoff)
                ORDER BY created_at DESC
                """
            ).all()
        }
        var current: Set<JSONWebAlgorithm> = []
        let keys = try rows.map { row in
            if try row.decode(column: "retired_at", as: Int64?.self) == nil,
                let algorithm = JSONWebAlgorithm(rawValue: try row.decode(column: "algorithm", as: String.self))
            {
                current.insert(algorithm)
            }
            return try JSONDecoder().decode(
                JSONWebKey.self, from: Data(try row.decode(column: "public_jwk", as: String.self).utf8))
        }
        return (keys, current)
    }

    static func keyName(_ kid: String) -> String { "oidc/\(kid)" }

    /// A key id that sorts by creation and does not repeat: the date and random bits.
    static func newKeyID(at date: Date) -> String {
        "\(Timestamp(date).description.prefix(10))-\(SessionStore.randomToken(bytes: 6))"
    }
}
