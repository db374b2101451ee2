/// An error of the Trust block, with a stable code and a message for operators.
public struct TrustError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The key-encryption key is missing or malformed.
        public static let keyEncryptionKey = Code("keyEncryptionKey")
        /// A stored key cannot be opened (wrong key-encryption key, or tampered).
        public static let keyUnreadable = Code("keyUnreadable")
        /// No key or certificate has this name.
        public static let notFound = Code("notFound")
        /// The national PKI exists already.
        public static let alreadyInitialised = Code("alreadyInitialised")
        /// The national PKI has not been created yet (`civitas pki init`).
        public static let notInitialised = Code("notInitialised")
        /// A request (CSR, profile, status change) is not acceptable.
        public static let invalidRequest = Code("invalidRequest")
        /// The certificate's current status does not allow this change.
        public static let invalidTransition = Code("invalidTransition")
        /// The time-stamping authority could not be reached, or did not answer with a time-stamp reply.
        public static let timeStampUnavailable = Code("timeStampUnavailable")
        /// The time-stamping authority refused the request, or its token does not cover what was asked.
        public static let timeStampRefused = Code("timeStampRefused")
        /// A document, digest or existing signature does not fit the signature asked for.
        public static let invalidSignatureInput = Code("invalidSignatureInput")
        /// An API client's token is missing, unknown or revoked.
        public static let unauthenticated = Code("unauthenticated")
        /// An API client may not do this (a scope or profile it was not granted).
        public static let forbidden = Code("forbidden")
        /// The object exists but its state does not allow this (a suspended certificate, a key on a device).
        public static let conflict = Code("conflict")
        /// A remote time-stamp authority could not be reached, or did not answer in time.
        public static let tsaUnreachable = Code("tsaUnreachable")
        /// A remote time-stamp authority answered with something other than a time-stamp reply: an HTTP error
        /// status, another content type, a body over the size cap, or bytes that are not a TimeStampResp.
        public static let tsaBadReply = Code("tsaBadReply")
        /// An OCSP responder could not be reached, or did not answer within the timeout.
        public static let ocspUnreachable = Code("ocspUnreachable")
        /// An OCSP responder answered with something other than a usable OCSP response: an HTTP status other than
        /// 200, another content type, a body over the size cap, bytes that are not a DER OCSPResponse, a response
        /// status other than successful (the responder refused), or no answer about the certificate asked.
        public static let ocspBadReply = Code("ocspBadReply")
        /// An OCSP answer that cannot be trusted: its signature does not verify, its signer is neither the CA nor a
        /// responder the CA authorised for OCSP signing (RFC 6960 §4.2.2.2), or it does not echo the request's nonce.
        public static let ocspUntrusted = Code("ocspUntrusted")
        /// An OCSP answer outside its time window: older than the relying party's freshness limit, past its
        /// nextUpdate, or dated in the future beyond the allowed clock skew.
        public static let ocspStale = Code("ocspStale")

        /// The code's name.
        public var description: String { name }
    }

    /// The failure's code.
    public let code: Code
    /// What happened; never includes key material.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
