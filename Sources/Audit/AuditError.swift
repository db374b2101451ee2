/// An error of the audit block.
public struct AuditError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// A field is empty or too long.
        case invalidEvent
        /// A page size or cursor is out of range.
        case invalidQuery
        /// A stored row cannot be read back.
        case corruptRow
    }

    /// The failure's code.
    public let code: Code
    /// What happened.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
