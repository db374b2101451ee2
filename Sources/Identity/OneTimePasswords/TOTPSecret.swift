import Crypto

/// The shared secret of a TOTP authenticator (RFC 6238): random bytes that the person's app and the node both hold.
///
/// New secrets are 20 bytes (160 bits, the length RFC 4226 recommends and HMAC-SHA-1's output). The description
/// never shows the secret.
public struct TOTPSecret: Sendable, Hashable, CustomStringConvertible {
    /// The secret bytes.
    public let bytes: [UInt8]

    /// The length of new secrets.
    public static let byteCount = 20
    /// The shortest secret accepted (RFC 4226 section 4: at least 128 bits).
    public static let minimumByteCount = 16

    /// Wraps stored secret bytes.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for fewer than 16 or more than 64 bytes.
    public init(bytes: [UInt8]) throws(IdentityError) {
        guard (Self.minimumByteCount...64).contains(bytes.count) else {
            throw IdentityError(.invalidRecord, "a TOTP secret is 16 to 64 bytes")
        }
        self.bytes = bytes
    }

    /// Reads a base32 secret (upper or lower case, spaces and padding ignored).
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for text that is not base32 of 16 to 64 bytes.
    public init(base32: String) throws(IdentityError) {
        guard let bytes = Base32.decode(base32) else {
            throw IdentityError(.invalidRecord, "a TOTP secret is written in base32 (A–Z, 2–7)")
        }
        try self.init(bytes: bytes)
    }

    /// A new random secret of ``byteCount`` bytes from the system's secure generator.
    public static func random() -> TOTPSecret {
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: byteCount * 8))
        return try! TOTPSecret(bytes: key.withUnsafeBytes { [UInt8]($0) })
    }

    /// The secret in base32, upper case, without padding (what an authenticator app is given).
    public var base32: String { Base32.encode(bytes) }

    /// `TOTPSecret(20 bytes)`: never the secret itself.
    public var description: String { "TOTPSecret(\(bytes.count) bytes)" }
}
