/// An error of the CRL encoder or decoder.
public struct CRLError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The bytes are not a DER CertificateList.
        case invalidEncoding
        /// A version other than v1 or v2.
        case unsupportedVersion
        /// A critical extension this implementation does not understand: RFC 5280 §5.2 forbids using the CRL.
        case unsupportedCriticalExtension
        /// A signature algorithm this implementation does not support.
        case unsupportedAlgorithm
        /// Input that cannot make a valid CRL: the wrong key, nextUpdate not after thisUpdate, duplicate serials,
        /// removeFromCRL in a full CRL, a date outside the years 1 to 9999.
        case invalidInput
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
