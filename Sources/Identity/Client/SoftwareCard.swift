public import Crypto
import Foundation
import SwiftASN1
public import X509
import _CryptoExtras

#if canImport(Glibc)
    import Glibc
#endif

/// A software eID card in a JSON file: the authentication key sealed under the PIN, and the certificates.
///
/// The key is a P-256 private key, sealed with AES-256-GCM under a key derived from the PIN with scrypt
/// (N = 2^15, r = 8, p = 1 by default); the AES-GCM additional data is the format name and the public key, so
/// a sealed key cannot be moved to another card file. After ``maximumAttempts`` wrong PINs in a row the card
/// locks for good, as a real card does.
///
/// A real card keeps its retry counter in hardware. A file's counter only stops the honest user's mistakes: an
/// attacker who copies the file can guess PINs offline, at scrypt's pace. That is why the PKCS #11 token is the
/// other kind of card, and why a card file is for demos and tests.
public struct SoftwareCard: Codable, Sendable {
    /// The format name.
    public static let formatName = "civitas-software-card-1"
    /// Wrong PINs in a row that lock the card.
    public static let maximumAttempts = 3

    /// The scrypt parameters.
    public struct KeyDerivation: Codable, Sendable, Hashable {
        /// Always `scrypt`.
        public var name: String
        /// 16 random bytes, base64.
        public var salt: String
        /// The cost N (a power of two).
        public var rounds: Int
        /// r.
        public var blockSize: Int
        /// p.
        public var parallelism: Int
    }

    /// ``formatName``.
    public var format: String
    /// Whose card it is, as written on it (the certificate is what counts).
    public var personalNumber: String
    /// The public key's SubjectPublicKeyInfo DER, base64.
    public var publicKey: String
    /// How the PIN becomes the sealing key.
    public var keyDerivation: KeyDerivation
    /// The sealed raw private key: AES-GCM nonce, ciphertext and tag, base64.
    public var sealedKey: String
    /// The citizen-authentication certificate, DER base64; nil until issued.
    public var certificate: String?
    /// The CA certificates above it, DER base64.
    public var chain: [String]
    /// Wrong PINs since the last right one.
    public var failedAttempts: Int
    /// Whether too many wrong PINs locked the card.
    public var locked: Bool

    /// Makes a new card with a fresh key sealed under `pin` (4 to 12 digits); returns it and the key.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for a PIN that is not 4 to 12 ASCII digits.
    public static func create(
        pin: String, personalNumber: String, rounds: Int = 1 << 15
    ) throws -> (card: SoftwareCard, key: P256.Signing.PrivateKey) {
        guard (4...12).contains(pin.utf8.count), pin.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw IdentityError(.invalidRecord, "a card PIN is 4 to 12 digits")
        }
        let key = P256.Signing.PrivateKey()
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let derivation = KeyDerivation(
            name: "scrypt", salt: Data(salt).base64EncodedString(), rounds: rounds, blockSize: 8, parallelism: 1)
        let publicKey = key.publicKey.derRepresentation
        let sealingKey = try Self.sealingKey(pin: pin, derivation: derivation)
        let sealed = try AES.GCM.seal(
            key.rawRepresentation, using: sealingKey, authenticating: Self.additionalData(publicKey))
        let card = SoftwareCard(
            format: formatName, personalNumber: personalNumber, publicKey: publicKey.base64EncodedString(),
            keyDerivation: derivation, sealedKey: sealed.combined!.base64EncodedString(), certificate: nil, chain: [],
            failedAttempts: 0, locked: false)
        return (card, key)
    }

    /// Opens the key with `pin`, counting the attempt: a right PIN resets the count, a wrong one adds to it and
    /// the ``maximumAttempts``th locks the card. Save the card after every call, whatever it returns.
    ///
    /// - Throws: ``IdentityError`` `cardLocked`, `wrongPIN` (saying how many attempts are left), or
    ///   `invalidRecord` for a damaged file.
    public mutating func unlock(pin: String) throws -> P256.Signing.PrivateKey {
        guard !locked else {
            throw IdentityError(.cardLocked, "the card is locked after \(Self.maximumAttempts) wrong PINs")
        }
        guard format == Self.formatName, keyDerivation.name == "scrypt",
            let publicKeyDER = Data(base64Encoded: publicKey), let combined = Data(base64Encoded: sealedKey),
            let box = try? AES.GCM.SealedBox(combined: combined)
        else { throw IdentityError(.invalidRecord, "the card file is damaged") }
        let sealingKey = try Self.sealingKey(pin: pin, derivation: keyDerivation)
        guard let raw = try? AES.GCM.open(box, using: sealingKey, authenticating: Self.additionalData(publicKeyDER))
        else {
            failedAttempts += 1
            if failedAttempts >= Self.maximumAttempts {
                locked = true
                throw IdentityError(.cardLocked, "wrong PIN; the card is now locked")
            }
            let left = Self.maximumAttempts - failedAttempts
            throw IdentityError(
                .wrongPIN, "wrong PIN; \(left) attempt\(left == 1 ? "" : "s") left before the card locks")
        }
        let key = try P256.Signing.PrivateKey(rawRepresentation: raw)
        guard key.publicKey.derRepresentation == publicKeyDER else {
            throw IdentityError(.invalidRecord, "the card's key does not match its public key")
        }
        failedAttempts = 0
        return key
    }

    /// The certificate, parsed.
    public func authenticationCertificate() throws -> Certificate? {
        guard let certificate else { return nil }
        guard let der = Data(base64Encoded: certificate) else {
            throw IdentityError(.invalidRecord, "the card's certificate is not base64")
        }
        return try Certificate(derEncoded: Array(der))
    }

    /// Reads a card file.
    public static func read(from path: String) throws -> SoftwareCard {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw IdentityError(.notFound, "cannot read the card file \(path)")
        }
        do {
            return try JSONDecoder().decode(SoftwareCard.self, from: data)
        } catch {
            throw IdentityError(.invalidRecord, "\(path) is not a card file")
        }
    }

    /// Writes the card file, readable by its owner only.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw IdentityError(.invalidRecord, "cannot write \(path)") }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw IdentityError(.invalidRecord, "cannot replace \(path)")
        }
    }

    static func sealingKey(pin: String, derivation: KeyDerivation) throws -> SymmetricKey {
        guard let salt = Data(base64Encoded: derivation.salt), salt.count >= 16,
            derivation.rounds >= 1 << 10, derivation.rounds <= 1 << 20,
            derivation.rounds & (derivation.rounds - 1) == 0,
            (1...16).contains(derivation.blockSize), (1...4).contains(derivation.parallelism)
        else { throw IdentityError(.invalidRecord, "the card's key derivation parameters are not acceptable") }
        return try KDF.Scrypt.deriveKey(
            from: Array(pin.utf8), salt: salt, outputByteCount: 32, rounds: derivation.rounds,
            blockSize: derivation.blockSize, parallelism: derivation.parallelism)
    }

    static func additionalData(_ publicKey: Data) -> Data { Data(formatName.utf8) + publicKey }
}
