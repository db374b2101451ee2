import CivitasCore
import Foundation

/// Which passwords a person may choose (NIST SP 800-63B, section 3.1.1.2): long enough, not absurdly long, any
/// Unicode, not on the list of the most common passwords, and not the person's own username, personal number or
/// names. No composition rules (a digit, a capital, …) and no expiry: they make passwords worse, not stronger.
///
/// The password is NFC-normalised first, as ``PasswordHasher`` does before hashing, and its length is counted in
/// Unicode code points. Comparisons with the common list and with the person's data ignore letter case (Unicode
/// lower-casing, so Georgian Mtavruli capitals and Mkhedruli letters are one); comparisons with the person's data
/// also ignore spaces, hyphens, dots, underscores and apostrophes.
public struct PasswordPolicy: Sendable, Hashable {
    /// The fewest characters a password may have.
    public let minimumLength: Int
    /// The most characters a password may have (a bound for the hasher, far above what anyone types).
    public let maximumLength: Int
    /// A username at least this long is refused anywhere inside the password, a shorter one only as the whole.
    static let usernameContainmentLength = 4

    /// Creates a policy; the defaults are 12 and 128 characters.
    public init(minimumLength: Int = 12, maximumLength: Int = 128) {
        precondition(minimumLength >= 1 && minimumLength <= maximumLength, "the length bounds must be ordered")
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
    }

    /// Refuses `password` unless it meets every rule for the person in `context`.
    ///
    /// - Throws: ``PasswordRejected`` with every rule the password breaks.
    public func check(_ password: String, for context: PasswordContext = .none) throws(PasswordRejected) {
        let violations = self.violations(of: password, for: context)
        guard violations.isEmpty else { throw PasswordRejected(violations) }
    }

    /// Every rule `password` breaks for the person in `context`, in a fixed order; empty when it is acceptable.
    public func violations(of password: String, for context: PasswordContext = .none) -> [PasswordViolation] {
        let normalized = password.precomposedStringWithCanonicalMapping
        let length = normalized.unicodeScalars.count
        var violations: [PasswordViolation] = []
        if length < minimumLength { violations.append(.tooShort(minimum: minimumLength)) }
        if length > maximumLength { violations.append(.tooLong(maximum: maximumLength)) }
        if normalized.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            violations.append(.controlCharacter)
        }
        if CommonPasswords.contains(normalized.lowercased()) { violations.append(.common) }
        let folded = Self.fold(normalized)
        if let username = context.username.map(Self.fold), !username.isEmpty {
            let contained = username.count >= Self.usernameContainmentLength && folded.contains(username)
            if folded == username || contained { violations.append(.username) }
        }
        if let number = context.personalNumber, folded.contains(number.rawValue) {
            violations.append(.personalNumber)
        }
        if Self.nameForms(context.names).contains(folded) { violations.append(.name) }
        return violations
    }

    /// Each name, and each two names written together in either order, folded.
    static func nameForms(_ names: [String]) -> Set<String> {
        let folded = names.map(fold).filter { !$0.isEmpty }
        var forms = Set(folded)
        for first in folded.indices {
            for second in folded.indices where second != first {
                forms.insert(folded[first] + folded[second])
            }
        }
        return forms
    }

    /// NFC, lower-cased, without the separators people put between names and words.
    static func fold(_ text: String) -> String {
        let separators: Set<Unicode.Scalar> = ["-", ".", "_", "'", "’"]
        let lowered = text.precomposedStringWithCanonicalMapping.lowercased()
        var scalars = String.UnicodeScalarView()
        for scalar in lowered.unicodeScalars
        where !scalar.properties.isWhitespace && !separators.contains(scalar) {
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
