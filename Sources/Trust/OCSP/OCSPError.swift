/// An error of the OCSP codec or responder.
///
/// The responder itself never throws: it turns every failure into an `OCSPResponse` status. These errors come from
/// decoding (requests, responses), from building requests, and from checking a responder's configuration.
public struct OCSPError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The bytes are not valid DER for the expected structure.
        case invalidEncoding
        /// The request is larger than the responder accepts.
        case requestTooLarge
        /// The request names more certificates than the responder accepts.
        case tooManyCertificates
        /// A version other than v1.
        case unsupportedVersion
        /// An extension marked critical that this implementation does not understand.
        case unsupportedCriticalExtension
        /// A hash or signature algorithm this implementation does not support.
        case unsupportedAlgorithm
        /// A date outside the years DER times can express.
        case invalidTime
        /// No CertID of the request names a CA this responder serves.
        case unknownIssuer
        /// A responder certificate, key or CA certificate that cannot work together.
        case invalidConfiguration
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
