/// An error from encoding, decoding or signing CMS (RFC 5652) structures.
public struct CMSError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Backing: String, Hashable, Sendable {
            case malformed, unsupportedAlgorithm, invalidArgument, signingFailed
        }

        let backing: Backing

        /// The bytes are not the DER structure they should be.
        public static let malformed = Code(backing: .malformed)
        /// An algorithm, key type or content type is not one this module handles.
        public static let unsupportedAlgorithm = Code(backing: .unsupportedAlgorithm)
        /// A value given by the caller cannot be encoded (a time out of range, a key that does not match).
        public static let invalidArgument = Code(backing: .invalidArgument)
        /// The private key refused or failed to sign.
        public static let signingFailed = Code(backing: .signingFailed)

        /// The code's name.
        public var description: String { backing.rawValue }
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
    public var description: String { "\(code): \(message)" }
}
