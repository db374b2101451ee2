/// A legal entity's identification code in the business registry: nine digits, as Georgia's National Agency of
/// Public Registry assigns them.
public struct RegistryCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The nine digits.
    public let rawValue: String

    /// Parses a code.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for anything but nine ASCII digits.
    public init(_ string: String) throws(IdentityError) {
        guard string.utf8.count == 9, string.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw IdentityError(.invalidRecord, "a registry code is nine digits")
        }
        self.rawValue = string
    }

    /// The nine digits.
    public var description: String { rawValue }

    /// Orders codes by their digits.
    public static func < (lhs: RegistryCode, rhs: RegistryCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
