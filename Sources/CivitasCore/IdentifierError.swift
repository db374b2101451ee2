/// A value that arrived from outside (an identifier such as a personal number, or a calendar date) is not
/// well-formed.
///
/// Modelled on the error types of swift-certificates: a small struct whose ``code`` is stable and meant for
/// programs (switch on it, map it to an HTTP problem type), and whose ``message`` is meant for people. The
/// message names what is wrong without repeating the input: identifiers are personal data, and error messages
/// end up in logs. At most a single offending character is quoted, as a Unicode code point.
public struct IdentifierError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem was found, for programs to act upon.
    public let code: Code

    /// A human-readable English explanation of the problem; it never echoes the rejected input.
    public let message: String

    /// The code and the message, for logs.
    public var description: String {
        "IdentifierError.\(code): \(message)"
    }

    init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

extension IdentifierError {
    /// The stable, machine-readable kind of an ``IdentifierError``.
    ///
    /// New codes may be added in later versions, so a `switch` over codes should have a default branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Backing: String, Hashable, Sendable {
            case empty
            case wrongLength
            case notDigits
            case badCheckDigit
            case outOfRange
            case malformed
        }

        let backing: Backing

        init(_ backing: Backing) {
            self.backing = backing
        }

        /// The input was empty.
        public static let empty = Code(.empty)

        /// The input has the wrong number of characters.
        public static let wrongLength = Code(.wrongLength)

        /// The input contains a character other than the ASCII digits 0–9 where only digits are allowed.
        public static let notDigits = Code(.notDigits)

        /// The input is made of digits of the right length, but its check digit does not match.
        public static let badCheckDigit = Code(.badCheckDigit)

        /// A numeric field is outside its allowed range (for example month 13, or 30 February).
        public static let outOfRange = Code(.outOfRange)

        /// The input does not follow the required layout (for example a date not written `YYYY-MM-DD`).
        public static let malformed = Code(.malformed)

        /// The code's name, such as `wrongLength`.
        public var description: String {
            backing.rawValue
        }
    }
}

extension IdentifierError {
    static func empty(_ what: String) -> IdentifierError {
        IdentifierError(code: .empty, message: "\(what) is empty")
    }

    static func wrongLength(_ what: String, expected: Int, actual: Int) -> IdentifierError {
        IdentifierError(
            code: .wrongLength,
            message: "\(what) must have \(expected) characters, not \(actual)"
        )
    }

    static func notDigits(_ what: String, position: Int, scalar: Unicode.Scalar) -> IdentifierError {
        IdentifierError(
            code: .notDigits,
            message: "\(what) may contain only the digits 0-9, but character \(position) is \(codePoint(scalar))"
        )
    }

    static func badCheckDigit(_ what: String) -> IdentifierError {
        IdentifierError(
            code: .badCheckDigit,
            message: "\(what) fails its check digit; a digit may be mistyped or two digits swapped"
        )
    }

    static func outOfRange(_ what: String, allowed: ClosedRange<Int>, actual: Int) -> IdentifierError {
        IdentifierError(
            code: .outOfRange,
            message: "\(what) must be between \(allowed.lowerBound) and \(allowed.upperBound), not \(actual)"
        )
    }

    static func malformed(_ what: String, expected: String) -> IdentifierError {
        IdentifierError(code: .malformed, message: "\(what) must be written \(expected)")
    }

    /// `U+0661`: a code point, not the character itself, so that invisible or confusable characters
    /// (a no-break space, an Arabic-Indic digit) are plain to see in a log.
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
