public import X509

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension CertificateRevocationList {
    /// One revoked (or suspended) certificate.
    ///
    /// ```
    /// SEQUENCE  {
    ///     userCertificate         CertificateSerialNumber,
    ///     revocationDate          Time,
    ///     crlEntryExtensions      Extensions OPTIONAL }
    /// id-ce-cRLReasons OBJECT IDENTIFIER ::= { id-ce 21 }
    /// ```
    public struct Entry: Sendable, Hashable {
        /// The certificate's serial number.
        public var serialNumber: Certificate.SerialNumber
        /// When it was revoked.
        public var revocationDate: Date
        /// Why; nil when unspecified (`unspecified` is written as an absent reasonCode, per RFC 5280 §5.3.1, and so
        /// reads back as nil).
        public var reason: CRLReason?

        /// Creates an entry.
        public init(serialNumber: Certificate.SerialNumber, revocationDate: Date, reason: CRLReason? = nil) {
            self.serialNumber = serialNumber
            self.revocationDate = revocationDate
            self.reason = reason
        }
    }
}
