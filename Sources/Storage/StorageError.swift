/// An error of the storage layer, with a stable code and a message for operators.
///
/// Underlying driver errors (PostgreSQL's `PSQLError`, `SQLiteError`) are classified into a code here so that the
/// blocks above never depend on which engine is in use.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The configuration (URL, path) is wrong.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// The database cannot be reached or opened.
        public static let unreachable = Code("unreachable")
        /// A unique or primary-key constraint rejected the write.
        public static let uniqueViolation = Code("uniqueViolation")
        /// Another constraint (foreign key, not null, check) rejected the write.
        public static let constraintViolation = Code("constraintViolation")
        /// Concurrent transactions kept conflicting after every retry.
        public static let serializationFailure = Code("serializationFailure")
        /// A migration failed; the schema is as it was before it.
        public static let migrationFailed = Code("migrationFailed")
        /// The database holds migrations this code does not know: it was migrated by a newer release.
        public static let schemaNewerThanCode = Code("schemaNewerThanCode")
        /// The migrations given to the migrator are inconsistent (a programming error).
        public static let invalidMigrations = Code("invalidMigrations")
        /// A query failed for another reason.
        public static let queryFailed = Code("queryFailed")
        /// The operation did not finish in time.
        public static let timedOut = Code("timedOut")

        /// The code's name.
        public var description: String { name }
    }

    /// The failure's code.
    public let code: Code
    /// What happened, for an operator; never includes secrets or bound values.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
