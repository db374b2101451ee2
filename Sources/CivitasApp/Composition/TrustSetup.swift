import Audit
import Foundation
import Logging
import Storage
import Trust

/// Opens the Trust block for a node: the key-encryption key and the national PKI.
enum TrustSetup {
    /// The key-encryption key from configuration, or the development key in the data directory (created on
    /// first use, readable by the owner only).
    static func keyEncryptionKey(_ configuration: NodeConfiguration, logger: Logger) throws -> KeyEncryptionKey {
        if let configured = configuration.keyEncryptionKey {
            return try KeyEncryptionKey(base64: configured)
        }
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("secrets")
        let path = (directory as NSString).appendingPathComponent("key-encryption-key")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            return try KeyEncryptionKey(base64: existing)
        }
        logger.warning(
            "no trust.key_encryption_key configured: creating a development key beside the data",
            metadata: ["path": "\(path)"])
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let (key, base64) = KeyEncryptionKey.generate()
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(base64.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw TrustError(.keyEncryptionKey, "cannot write \(path)")
        }
        return key
    }

    /// The node's key store: the PKCS#11 token when one is configured, else keys sealed in the database.
    static func keyStore(
        _ configuration: NodeConfiguration, database: Database, logger: Logger
    ) throws
        -> any TrustKeyStore
    {
        if let token = configuration.pkcs11 {
            return try PKCS11KeyStore(modulePath: token.module, tokenLabel: token.token, pin: token.pin)
        }
        return SoftwareKeyStore(database: database, encryptionKey: try keyEncryptionKey(configuration, logger: logger))
    }

    static func pki(_ configuration: NodeConfiguration, database: Database, logger: Logger) throws -> NationalPKI {
        let keyStore = try keyStore(configuration, database: database, logger: logger)
        return NationalPKI(
            database: database, keyStore: keyStore, audit: AuditLog(database: database),
            baseURL: configuration.effectivePublicURL)
    }
}
