import Foundation

/// A stored password hash in the PHC string format: `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`, salt and hash in
/// standard base64 without padding.
///
/// The string names its own algorithm and parameters, so hashes made under older parameters keep verifying and
/// can be recognised for rehashing (``PasswordHasher/needsRehash(_:)``).
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    /// The scrypt parameters the hash was made with.
    public let parameters: ScryptParameters
    /// The random salt.
    public let salt: [UInt8]
    /// The derived key.
    public let hash: [UInt8]

    /// The shortest salt and derived key accepted when parsing; new hashes use 16 and 32 bytes.
    static let minimumSaltBytes = 8
    static let maximumSaltBytes = 64
    static let minimumHashBytes = 16
    static let maximumHashBytes = 64

    init(parameters: ScryptParameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// Parses a PHC string.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for another algorithm, parameters out of order or range, bad
    ///   base64, or a salt or key of an unusual length.
    public init(_ string: String) throws(IdentityError) {
        let fields = string.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty, fields[1] == "scrypt" else {
            throw IdentityError(.invalidRecord, "a password hash is $scrypt$ln=…,r=…,p=…$salt$hash")
        }
        let parameters = fields[2].split(separator: ",", omittingEmptySubsequences: false)
        guard parameters.count == 3,
            let logRounds = Self.decimal(parameters[0], named: "ln"),
            let blockSize = Self.decimal(parameters[1], named: "r"),
            let parallelism = Self.decimal(parameters[2], named: "p")
        else {
            throw IdentityError(.invalidRecord, "a password hash's parameters are ln=…,r=…,p=…")
        }
        let scrypt = ScryptParameters(logRounds: logRounds, blockSize: blockSize, parallelism: parallelism)
        guard scrypt.isSupported else {
            throw IdentityError(.invalidRecord, "the password hash's scrypt parameters \(scrypt) are out of range")
        }
        guard let salt = Self.base64Decode(fields[3]), let hash = Self.base64Decode(fields[4]),
            (Self.minimumSaltBytes...Self.maximumSaltBytes).contains(salt.count),
            (Self.minimumHashBytes...Self.maximumHashBytes).contains(hash.count)
        else {
            throw IdentityError(.invalidRecord, "the password hash's salt or key is not base64 of a usual length")
        }
        self.init(parameters: scrypt, salt: salt, hash: hash)
    }

    /// The PHC string.
    public var description: String {
        "$scrypt$\(parameters)$\(Self.base64Encode(salt))$\(Self.base64Encode(hash))"
    }

    /// A decimal parameter `name=value` without sign or leading zeros (PHC's rule), small enough to be sane.
    private static func decimal(_ field: Substring, named name: String) -> Int? {
        guard field.hasPrefix(name + "=") else { return nil }
        let digits = field.dropFirst(name.count + 1)
        guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            digits == "0" || digits.first != "0"
        else { return nil }
        return Int(digits)
    }

    static func base64Encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Standard base64 without padding; padding, whitespace and other alphabets are refused.
    static func base64Decode(_ text: Substring) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        guard !text.isEmpty, text.count % 4 != 1, text.allSatisfy({ alphabet.contains($0) }) else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = [UInt8](data)
        // Only the canonical encoding: the unused low bits of the last character must be zero.
        guard base64Encode(bytes) == text else { return nil }
        return bytes
    }
}
