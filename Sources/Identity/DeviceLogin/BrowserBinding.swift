import Crypto
import Web

/// The secret that ties a device login to the browser that started it.
///
/// The browser keeps it in an HttpOnly cookie; the table keeps only its SHA-256, so that reading the database
/// does not let anyone finish someone else's login.
enum BrowserBinding {
    /// The cookie's name.
    static let cookieName = "civitas_device_login"

    /// A new secret: 32 random bytes, base64url.
    static func generate() -> String { CSRFToken.generate() }

    /// The hash stored for `secret`.
    static func hash(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Array(secret.utf8))) }

    /// Compares two hashes in time independent of where they differ.
    static func matches(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count, !lhs.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
