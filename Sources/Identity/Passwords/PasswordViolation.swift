/// Why ``PasswordPolicy`` refuses a password: one case per rule, for the UI to explain in the visitor's language.
public enum PasswordViolation: Sendable, Hashable, CustomStringConvertible {
    /// Fewer characters (Unicode code points, after NFC) than the policy's minimum.
    case tooShort(minimum: Int)
    /// More characters than the policy's maximum.
    case tooLong(maximum: Int)
    /// A control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F), which no keyboard types.
    case controlCharacter
    /// One of the most common passwords, whatever its letter case.
    case common
    /// The username, or a password that contains it.
    case username
    /// A password that contains the person's personal number.
    case personalNumber
    /// One of the person's names, or their given and family name together, in any of the register's scripts.
    case name

    /// A stable identifier of the rule (`too-short`, `common`, …), for catalogue keys and logs.
    public var code: String {
        switch self {
        case .tooShort: "too-short"
        case .tooLong: "too-long"
        case .controlCharacter: "control-character"
        case .common: "common"
        case .username: "username"
        case .personalNumber: "personal-number"
        case .name: "name"
        }
    }

    /// The code, with the limit where there is one.
    public var description: String {
        switch self {
        case .tooShort(let minimum): "\(code) (minimum \(minimum))"
        case .tooLong(let maximum): "\(code) (maximum \(maximum))"
        default: code
        }
    }
}

/// A password that ``PasswordPolicy`` refuses, with every rule it breaks.
public struct PasswordRejected: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rules broken, in the policy's order; never empty.
    public let violations: [PasswordViolation]

    init(_ violations: [PasswordViolation]) { self.violations = violations }

    /// The codes of the rules broken (never the password).
    public var description: String {
        "password refused: " + violations.map(\.description).joined(separator: ", ")
    }
}
