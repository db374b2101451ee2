/// An error of the Exchange block, with a stable code and a message for operators and the member's developers.
public struct ExchangeError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A record with this identifier exists already.
        public static let alreadyRegistered = Code("alreadyRegistered")
        /// No record has this identifier.
        public static let notFound = Code("notFound")
        /// A value is not acceptable (an identifier in the wrong form, a URL that is no URL, …).
        public static let invalidRecord = Code("invalidRecord")
        /// The record is still referred to (a member with subsystems, a subsystem with services, …).
        public static let inUse = Code("inUse")
        /// The node has no valid global configuration yet (never downloaded, or none stored).
        public static let globalConfigurationUnavailable = Code("globalConfigurationUnavailable")
        /// The last valid global configuration has expired: the node refuses to exchange until it gets a fresh one.
        public static let globalConfigurationExpired = Code("globalConfigurationExpired")
        /// A downloaded global configuration was refused: bad signature, wrong signer or chain, wrong instance,
        /// expired, older than the one held, or not the configuration format.
        public static let globalConfigurationRefused = Code("globalConfigurationRefused")

        /// The code's name.
        public var description: String { name }
    }

    /// The failure's code.
    public let code: Code
    /// What happened, in words; never a key or a secret.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
