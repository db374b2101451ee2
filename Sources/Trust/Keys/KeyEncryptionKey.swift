import Crypto
import Foundation

/// The key that seals every software private key at rest (AES-256-GCM).
///
/// It comes from configuration (`trust.key_encryption_key`, 32 bytes in base64, marked secret), never from the
/// database, so a copy of the database alone does not yield a single private key. Each sealed key is bound to
/// its name as associated data, so sealed blobs cannot be swapped between names.
public struct KeyEncryptionKey: Sendable {
    private let key: SymmetricKey

    /// Parses the base64 form of a 32-byte key.
    public init(base64: String) throws(TrustError) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)),
            data.count == 32
        else {
            throw TrustError(.keyEncryptionKey, "the key-encryption key must be 32 bytes in base64")
        }
        self.key = SymmetricKey(data: data)
    }

    /// A new random key (for `civitas pki init` on a development node).
    public static func generate() -> (key: KeyEncryptionKey, base64: String) {
        let key = SymmetricKey(size: .bits256)
        let base64 = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return (try! KeyEncryptionKey(base64: base64), base64)
    }

    /// Seals `plaintext` (a key, or another secret kept at rest such as a TOTP seed) for `name`, which is bound to it:
    /// AES-256-GCM with `name` as additional data, so a sealed value moved to another name does not open.
    public func seal(_ plaintext: [UInt8], name: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(name.utf8))
        guard let combined = box.combined else {
            throw TrustError(.keyUnreadable, "cannot seal the key \(name)")
        }
        return Array(combined)
    }

    /// Opens what ``seal(_:name:)`` produced for the same name.
    ///
    /// - Throws: ``TrustError`` `.keyUnreadable` for another key, another name, or altered bytes.
    public func open(_ sealed: [UInt8], name: String) throws(TrustError) -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(name.utf8)))
        } catch {
            throw TrustError(
                .keyUnreadable,
                "the key \(name) cannot be opened: the key-encryption key is not the one it was sealed with, "
                    + "or the stored key was altered")
        }
    }
}
