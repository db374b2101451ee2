import CivitasCore

/// CSRF tokens for the double-submit pattern: the same random token in an HttpOnly cookie and in each form.
///
/// A cross-site form can make the browser send the cookie but cannot read it, so it cannot put the matching value
/// in the form; ``CSRFMiddleware`` rejects a state-changing form without the match.
public enum CSRFToken {
    /// The cookie that holds the token.
    public static let cookieName = "civitas_csrf"
    /// The form field that must repeat it.
    public static let fieldName = "_csrf"
    /// The header a script may use instead of the field.
    public static let headerName = "X-CSRF-Token"

    /// A new token: 32 random bytes, base64url without padding.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            var value = generator.next() as UInt64
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
            }
        }
        return Base64URL.encode(bytes)
    }

    /// Whether `candidate` has the shape of a token we issue (so that junk in a cookie is replaced, not reused).
    public static func isWellFormed(_ candidate: some StringProtocol) -> Bool {
        candidate.utf8.count == 43 && candidate.utf8.allSatisfy(Base64URL.isAlphabet)
    }

    /// Compares in time independent of where the strings differ.
    public static func matches(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count, !left.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
