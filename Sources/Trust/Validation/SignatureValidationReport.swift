public import Foundation

/// The outcome of validating a signed document: one report per signature, and the document's overall
/// indication (TOTAL-PASSED only when every signature passed).
///
/// Encoded as JSON by the validation API and `civitas verify --json`; the keys are stable.
public struct SignatureValidationReport: Sendable, Hashable, Codable {
    /// When the validation ran (the "current time" of ETSI EN 319 102-1).
    public var validationTime: Date
    /// The document's indication: the worst of its signatures'.
    public var indication: ValidationIndication
    /// The sub-indication of the first signature that did not pass.
    public var subIndication: ValidationSubIndication?
    /// Why, in words, when the document did not pass.
    public var message: String?
    /// Each signature (SignerInfo) in the order of the SignedData.
    public var signatures: [Signature]

    /// One signature's report.
    public struct Signature: Sendable, Hashable, Codable {
        /// The signer's certificate, once identified.
        public var signer: CertificateSummary?
        /// CAdES-BASELINE-B, CAdES-BASELINE-T or CMS (no signing-certificate-v2).
        public var format: String
        /// The message-digest algorithm (SHA-256, …).
        public var digestAlgorithm: String?
        /// The signing-time the signer claims (a signed attribute; not proof).
        public var claimedSigningTime: Date?
        /// The signature time-stamp, when there is one.
        public var timeStamp: TimeStampSummary?
        /// The earliest time the signature is proven to have existed: the valid time-stamp's time, or the
        /// validation time.
        public var bestSignatureTime: Date
        /// The certificate chain to the trusted root, signer first, when one was built.
        public var chain: [CertificateSummary]
        /// The signing certificate's revocation status, as found.
        public var revocation: RevocationSummary?
        /// The main indication.
        public var indication: ValidationIndication
        /// Why it did not pass.
        public var subIndication: ValidationSubIndication?
        /// Findings in words: the reason for the indication first, then warnings.
        public var messages: [String]
    }

    /// A certificate, as a person reads it.
    public struct CertificateSummary: Sendable, Hashable, Codable {
        /// The subject DN (RFC 4514 string).
        public var subject: String
        /// The issuer DN.
        public var issuer: String
        /// The serial number, lowercase hex.
        public var serialNumber: String
        /// Start of validity.
        public var notBefore: Date
        /// End of validity.
        public var notAfter: Date
        /// Whether it carries the ETSI QcCompliance statement (a qualified certificate).
        public var qualified: Bool
    }

    /// A signature time-stamp.
    public struct TimeStampSummary: Sendable, Hashable, Codable {
        /// The time the TSA asserts.
        public var genTime: Date?
        /// The TSA certificate's subject.
        public var tsa: String?
        /// The token's serial number, hex.
        public var serialNumber: String?
        /// The TSA policy.
        public var policy: String?
        /// The time-stamp's own indication; only a TOTAL-PASSED time-stamp is a proof of existence.
        public var indication: ValidationIndication
        /// Why the time-stamp did not pass.
        public var subIndication: ValidationSubIndication?
        /// Why, in words.
        public var message: String?
    }

    /// A certificate's revocation status.
    public struct RevocationSummary: Sendable, Hashable, Codable {
        /// good, suspended, revoked or unknown.
        public var status: String
        /// Since when it is suspended or revoked.
        public var since: Date?
        /// The revocation reason (RFC 5280 name).
        public var reason: String?
        /// Where the status came from.
        public var source: String?
    }
}
