public import Foundation
public import X509

/// A certificate the PKI issued, with its current lifecycle state.
public struct StoredCertificate: Sendable {
    /// The issuing CA's role name (`citizens-ca`, …; `root-ca` for the root and the issuing CAs).
    public let issuer: String
    /// The serial number, lowercase hex.
    public let serial: String
    /// The hierarchy role, for the PKI's own certificates.
    public let role: PKIRole?
    /// The profile it was issued under.
    public let profile: CertificateProfile
    /// The certificate.
    public let certificate: Certificate
    /// Its DER encoding, as issued.
    public let der: [UInt8]
    /// Its lifecycle state.
    public let lifecycle: CertificateLifecycle

    /// Whether `date` is past its notAfter.
    public func isExpired(at date: Date) -> Bool { date > certificate.notValidAfter }
}
