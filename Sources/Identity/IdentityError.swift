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

        // Device logins (eID card and mobile ID).
        /// A device login's code or id names no login that is still open.
        public static let loginNotFound = Code("loginNotFound")
        /// The login's two minutes are over; the browser must start again.
        public static let loginExpired = Code("loginExpired")
        /// The login was answered or finished already: an answer is accepted once, a login completes once.
        public static let loginAlreadyUsed = Code("loginAlreadyUsed")
        /// The login was started in another browser (its binding cookie is missing or different).
        public static let wrongBrowser = Code("wrongBrowser")
        /// The answer is not well-formed (bad base64, bad DER, a time that is no time, the wrong method).
        public static let malformedAnswer = Code("malformedAnswer")
        /// The signature does not verify over the to-be-signed structure with the presented key.
        public static let badSignature = Code("badSignature")
        /// The signing time is outside the login's lifetime, allowing for clock skew.
        public static let signingTimeOutOfRange = Code("signingTimeOutOfRange")
        /// The certificate does not chain to the national root through the citizens CA.
        public static let untrustedCertificate = Code("untrustedCertificate")
        /// The certificate is not a citizen-authentication certificate (key usage, EKU or policy).
        public static let wrongCertificateProfile = Code("wrongCertificateProfile")
        /// The certificate is not valid now (not yet, or no longer).
        public static let certificateExpired = Code("certificateExpired")
        /// OCSP says the certificate is revoked.
        public static let certificateRevoked = Code("certificateRevoked")
        /// OCSP says the certificate is on hold (certificateHold).
        public static let certificateSuspended = Code("certificateSuspended")
        /// No trustworthy OCSP answer says the certificate is good (unknown, unsigned, stale, wrong nonce).
        public static let revocationUnknown = Code("revocationUnknown")
        /// The certificate's subject carries no personal number in the ETSI EN 319 412-1 form this node accepts.
        public static let noPersonalNumber = Code("noPersonalNumber")
        /// The person is not registered, or is recorded as deceased.
        public static let personNotEligible = Code("personNotEligible")
        /// The mobile ID device is unknown or revoked.
        public static let deviceNotUsable = Code("deviceNotUsable")
        /// The session is missing or below the level of assurance the action needs.
        public static let insufficientAssurance = Code("insufficientAssurance")
        /// The card file is locked after too many wrong PINs.
        public static let cardLocked = Code("cardLocked")
        /// The PIN is wrong.
        public static let wrongPIN = Code("wrongPIN")

        // Representation and powers of attorney.
        /// The actor may not do this to this power of attorney or legal entity (see `RepresentationPolicy`).
        public static let notPermitted = Code("notPermitted")
        /// A power of attorney's signature is not the qualified signature of its principal over its document.
        public static let signatureRejected = Code("signatureRejected")

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
