#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The revocation status of one certificate, as the status lookup reports it and an OCSP answer carries it.
///
/// ```
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
/// A suspended certificate is `revoked` with reason `certificateHold`; a lifted suspension is `good` again.
public enum CertificateStatus: Sendable, Hashable {
    /// The certificate was issued by this CA and is not revoked.
    case good
    /// The certificate is revoked (or, with `certificateHold`, suspended) since `time`.
    case revoked(time: Date, reason: CRLReason?)
    /// The responder does not know the certificate.
    case unknown
}
