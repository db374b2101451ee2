public import X509

/// Which certificate an OCSP request asks about: the configured CA that issued it and its serial number.
///
/// The responder builds this after matching a CertID's name and key hashes with a CA it serves, and hands it to the
/// status lookup.
public struct CertificateIdentity: Sendable, Hashable {
    /// The CA that issued the certificate.
    public var issuer: OCSPIssuer
    /// The certificate's serial number, in swift-certificates' form: the big-endian magnitude without leading zero
    /// octets, equal to `serialNumber` of the issued certificate once parsed from DER (key the database on
    /// `serialNumber.bytes` of a parsed certificate, not of a `SerialNumber(Int)`, which keeps a leading zero).
    public var serialNumber: Certificate.SerialNumber

    /// Creates an identity.
    public init(issuer: OCSPIssuer, serialNumber: Certificate.SerialNumber) {
        self.issuer = issuer
        self.serialNumber = serialNumber
    }
}
