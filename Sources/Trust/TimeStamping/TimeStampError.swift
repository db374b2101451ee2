/// An error of the time-stamping service, on the authority's side or the client's.
public struct TimeStampError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Backing: String, Hashable, Sendable {
            case malformedRequest, unsupportedVersion, unsupportedHashAlgorithm, wrongDigestLength
            case unacceptedPolicy, unacceptedExtension, systemFailure, invalidConfiguration
            case malformedResponse, invalidToken
            case notGranted, imprintMismatch, nonceMismatch, policyMismatch, untrustedSigner
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
        /// A reply's status is not granted: the TSA refused the request (a client's check).
        public static let notGranted = Code(backing: .notGranted)
        /// A token's message imprint is not the one asked for: other data, or another hash algorithm.
        public static let imprintMismatch = Code(backing: .imprintMismatch)
        /// A token's nonce is not the one sent in the request.
        public static let nonceMismatch = Code(backing: .nonceMismatch)
        /// A token was issued under another policy than the one asked for.
        public static let policyMismatch = Code(backing: .policyMismatch)
        /// A token's signer is not a TSA the verifier trusts: no certificate, no chain to a trust anchor at
        /// genTime, or no critical extended key usage of only id-kp-timeStamping.
        public static let untrustedSigner = Code(backing: .untrustedSigner)

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
        // A client's findings about a reply; never sent to anyone, but the mapping must be total.
        case .notGranted, .imprintMismatch, .nonceMismatch, .policyMismatch, .untrustedSigner: .badDataFormat
        case .unsupportedVersion: .badRequest
        case .unsupportedHashAlgorithm: .badAlg
        case .unacceptedPolicy: .unacceptedPolicy
        case .unacceptedExtension: .unacceptedExtension
        case .systemFailure, .invalidConfiguration: .systemFailure
        }
    }
}
