/// An error of the time-stamping service, on the authority's side or the client's.
public struct TimeStampError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Backing: String, Hashable, Sendable {
            case malformedRequest, unsupportedVersion, unsupportedHashAlgorithm, wrongDigestLength
            case unacceptedPolicy, unacceptedExtension, systemFailure, invalidConfiguration
            case malformedResponse, invalidToken
        }

        let backing: Backing

        /// The request is not a DER TimeStampReq (badDataFormat).
        public static let malformedRequest = Code(backing: .malformedRequest)
        /// The request's version is not 1 (badRequest).
        public static let unsupportedVersion = Code(backing: .unsupportedVersion)
        /// The message imprint's hash algorithm is not SHA-256, SHA-384 or SHA-512 (badAlg).
        public static let unsupportedHashAlgorithm = Code(backing: .unsupportedHashAlgorithm)
        /// The hashed message is not as long as its algorithm's digests (badDataFormat).
        public static let wrongDigestLength = Code(backing: .wrongDigestLength)
        /// The request asks for a policy that is not this authority's (unacceptedPolicy).
        public static let unacceptedPolicy = Code(backing: .unacceptedPolicy)
        /// The request carries extensions, none of which this authority supports (unacceptedExtension).
        public static let unacceptedExtension = Code(backing: .unacceptedExtension)
        /// The serial number source or the signing key failed (systemFailure).
        public static let systemFailure = Code(backing: .systemFailure)
        /// The authority's certificate, key or settings are unusable.
        public static let invalidConfiguration = Code(backing: .invalidConfiguration)
        /// A response or token is not well formed.
        public static let malformedResponse = Code(backing: .malformedResponse)
        /// A token does not verify: wrong signer, digest, signature or imprint.
        public static let invalidToken = Code(backing: .invalidToken)

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

    /// The PKIFailureInfo bit an authority answers this error with.
    public var failureInfo: TimeStampFailureInfo {
        switch code.backing {
        case .malformedRequest, .wrongDigestLength, .malformedResponse, .invalidToken: .badDataFormat
        case .unsupportedVersion: .badRequest
        case .unsupportedHashAlgorithm: .badAlg
        case .unacceptedPolicy: .unacceptedPolicy
        case .unacceptedExtension: .unacceptedExtension
        case .systemFailure, .invalidConfiguration: .systemFailure
        }
    }
}
