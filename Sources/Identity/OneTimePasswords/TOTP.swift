import Crypto
public import Foundation

/// Time-based one-time passwords (RFC 6238) as every authenticator app computes them: HMAC-SHA-1, six digits, a new
/// code every 30 seconds, counted from the Unix epoch.
///
/// ``verify(_:at:after:)`` accepts the code of the current time step and of one step either side (clock drift and the
/// seconds it takes to type), and returns the step it matched. The caller stores that step with the authenticator
/// and passes it back as `after` next time, so a code that was used once, or one older than it, is refused
/// (RFC 6238 section 5.2).
public struct TOTP: Sendable, Hashable {
    /// The issuer shown in authenticator apps.
    public static let issuer = "Civitas"
    /// The length of a time step in seconds.
    public static let period: Int64 = 30
    /// How many steps before and after the current one are accepted.
    public static let allowedDrift: Int64 = 1

    /// The shared secret.
    public let secret: TOTPSecret
    /// Digits per code: 6 (8 only for the RFC's own test vectors).
    let digits: Int

    /// An authenticator with `secret`, six digits.
    public init(secret: TOTPSecret) {
        self.init(secret: secret, digits: 6)
    }

    init(secret: TOTPSecret, digits: Int) {
        precondition((6...8).contains(digits))
        self.secret = secret
        self.digits = digits
    }

    /// The time step `date` falls in: `floor(seconds since 1970 / 30)`.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code for `date`.
    public func code(at date: Date) -> String { code(forStep: Self.step(at: date)) }

    /// The code for time step `step` (RFC 4226 HOTP with the step as the counter).
    public func code(forStep step: Int64) -> String {
        let number = truncatedValue(forStep: step) % Self.powerOfTen(digits)
        let text = String(number)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The time step whose code `code` is, among the step of `date` and the steps next to it, or `nil`.
    ///
    /// - Parameters:
    ///   - code: what the person typed; anything but exactly six ASCII digits is refused.
    ///   - after: the step accepted last for this authenticator: that step and older ones are refused (replay).
    /// - Returns: the latest matching step later than `after`, to store as the new `after`.
    public func verify(_ code: String, at date: Date, after lastAcceptedStep: Int64? = nil) -> Int64? {
        let typed = Array(code.utf8)
        guard typed.count == digits, typed.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        let current = Self.step(at: date)
        var matched: Int64?
        // Every candidate is computed and compared in full, so the time taken does not say which step matched.
        for step in (current - Self.allowedDrift)...(current + Self.allowedDrift) where step >= 0 {
            let expected = Array(self.code(forStep: step).utf8)
            var difference: UInt8 = 0
            for index in expected.indices { difference |= expected[index] ^ typed[index] }
            if difference == 0, step > (lastAcceptedStep ?? -1) { matched = step }
        }
        return matched
    }

    /// The `otpauth://totp/` URI that authenticator apps read from a QR code (Google's Key URI format):
    /// `otpauth://totp/Civitas:<account>?secret=…&issuer=Civitas&algorithm=SHA1&digits=6&period=30`.
    ///
    /// - Parameter account: the label the app shows under the issuer (a username or e-mail address).
    /// - Throws: ``IdentityError`` `invalidRecord` for an empty account or one containing a colon, which apps
    ///   would read as the issuer's separator.
    public func provisioningURI(account: String) throws(IdentityError) -> String {
        guard !account.isEmpty, !account.contains(":") else {
            throw IdentityError(.invalidRecord, "a TOTP account label is not empty and has no colon")
        }
        let issuer = Self.percentEncoded(Self.issuer)
        return "otpauth://totp/\(issuer):\(Self.percentEncoded(account))?secret=\(secret.base32)&issuer=\(issuer)"
            + "&algorithm=SHA1&digits=\(digits)&period=\(Self.period)"
    }

    /// RFC 4226 section 5.3: HMAC-SHA-1 of the big-endian counter, dynamic truncation to 31 bits.
    private func truncatedValue(forStep step: Int64) -> UInt32 {
        let counter = withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { [UInt8]($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: SymmetricKey(data: secret.bytes)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        return (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
    }

    private static func powerOfTen(_ exponent: Int) -> UInt32 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    private static func percentEncoded(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.append(Character(Unicode.Scalar(byte)))
            default:
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
