import Crypto
import Foundation
import SQLKit
public import Storage
import SwiftASN1
public import X509

/// Software keys, sealed with AES-256-GCM under the ``KeyEncryptionKey`` and stored in `trust_keys`.
///
/// Every node over the same database and with the same key-encryption key can use the keys; opened keys are
/// kept in memory only for the life of the process.
public actor SoftwareKeyStore: TrustKeyStore {
    private let database: Database
    private let encryptionKey: KeyEncryptionKey
    private var opened: [String: Certificate.PrivateKey] = [:]

    /// Creates the store.
    public init(database: Database, encryptionKey: KeyEncryptionKey) {
        self.database = database
        self.encryptionKey = encryptionKey
    }

    /// Creates and seals a new key.
    public func generate(name: String, algorithm: KeyAlgorithm) async throws -> Certificate.PrivateKey {
        let privateKey: Certificate.PrivateKey
        let raw: [UInt8]
        switch algorithm {
        case .p256:
            let key = P256.Signing.PrivateKey()
            privateKey = Certificate.PrivateKey(key)
            raw = Array(key.rawRepresentation)
        case .p384:
            let key = P384.Signing.PrivateKey()
            privateKey = Certificate.PrivateKey(key)
            raw = Array(key.rawRepresentation)
        case .ed25519:
            let key = Curve25519.Signing.PrivateKey()
            privateKey = Certificate.PrivateKey(key)
            raw = Array(key.rawRepresentation)
        }
        let sealed = try encryptionKey.seal(raw, name: name)
        let publicKey = try privateKey.publicKey.serializeAsPEM().derBytes
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO trust_keys (name, algorithm, public_key, sealed_private_key, created_at)
                VALUES (\(bind: name), \(bind: algorithm.rawValue), \(bind: Data(publicKey)), \(bind: Data(sealed)),
                    \(bind: now))
                """
            ).run()
        }
        opened[name] = privateKey
        return privateKey
    }

    /// Opens the key named `name`.
    public func key(named name: String) async throws -> Certificate.PrivateKey {
        if let key = opened[name] { return key }
        let row = try await database.read { sql in
            try await sql.raw(
                "SELECT algorithm, sealed_private_key FROM trust_keys WHERE name = \(bind: name)"
            ).first()
        }
        guard let row else { throw TrustError(.notFound, "no key named \(name)") }
        let algorithmName = try row.decode(column: "algorithm", as: String.self)
        let sealed = Array(try row.decode(column: "sealed_private_key", as: Data.self))
        let raw = try encryptionKey.open(sealed, name: name)
        let key: Certificate.PrivateKey
        switch KeyAlgorithm(rawValue: algorithmName) {
        case .p256: key = Certificate.PrivateKey(try P256.Signing.PrivateKey(rawRepresentation: raw))
        case .p384: key = Certificate.PrivateKey(try P384.Signing.PrivateKey(rawRepresentation: raw))
        case .ed25519: key = Certificate.PrivateKey(try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        case nil: throw TrustError(.keyUnreadable, "the key \(name) has an unknown algorithm \(algorithmName)")
        }
        opened[name] = key
        return key
    }
}
