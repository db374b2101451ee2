/// Why a certificate was revoked or suspended (RFC 5280 §5.3.1), as CRL entries and OCSP answers carry it.
///
/// ```
/// CRLReason ::= ENUMERATED {
///     unspecified             (0),
///     keyCompromise           (1),
///     cACompromise            (2),
///     affiliationChanged      (3),
///     superseded              (4),
///     cessationOfOperation    (5),
///     certificateHold         (6),
///          -- value 7 is not used
///     removeFromCRL           (8),
///     privilegeWithdrawn      (9),
///     aACompromise           (10) }
/// ```
public enum CRLReason: UInt8, Sendable, Hashable, CaseIterable {
    /// No reason given; a CRL entry omits the reason code instead (RFC 5280 §5.3.1).
    case unspecified = 0
    /// The subject's private key is known or suspected to be compromised.
    case keyCompromise = 1
    /// The issuing CA's private key is known or suspected to be compromised.
    case caCompromise = 2
    /// The subject's name or other information in the certificate changed.
    case affiliationChanged = 3
    /// The certificate was replaced by another.
    case superseded = 4
    /// The certificate is no longer needed for the purpose it was issued for.
    case cessationOfOperation = 5
    /// The certificate is suspended: this status can be lifted again.
    case certificateHold = 6
    /// Only in delta CRLs: a held certificate's entry is lifted.
    case removeFromCRL = 8
    /// A privilege the certificate carried was withdrawn.
    case privilegeWithdrawn = 9
    /// The attribute authority's key is known or suspected to be compromised.
    case aaCompromise = 10
}
