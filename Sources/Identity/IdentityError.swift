/// An error of the Identity block, with a stable code and a message for operators and officials.
public struct IdentityError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A record with this identifier exists already.
        public static let alreadyRegistered = Code("alreadyRegistered")
        /// No record has this identifier.
        public static let notFound = Code("notFound")
        /// A value is not acceptable (a name in the wrong script, a date out of range, …).
        public static let invalidRecord = Code("invalidRecord")
        /// The record's state does not allow this change (a deceased person's address, …).
        public static let invalidTransition = Code("invalidTransition")
        /// Too much work is waiting (password hashes queued for a thread); the caller may try again shortly.
        public static let overloaded = Code("overloaded")

        /// The code's name.
        public var description: String { name }
    }

    /// The failure's code.
    public let code: Code
    /// What happened, in words; never a password or a secret.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
