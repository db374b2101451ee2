/// The status of a time-stamp response (RFC 3161 2.4.2, from RFC 4210).
///
/// ```asn1
/// PKIStatus ::= INTEGER {
///     granted                (0),
///     grantedWithMods        (1),
///     rejection              (2),
///     waiting                (3),
///     revocationWarning      (4),
///     revocationNotification (5) }
/// ```
public enum TimeStampStatus: Int, Sendable, Hashable {
    /// A TimeStampToken is present, as requested.
    case granted = 0
    /// A TimeStampToken is present, with modifications.
    case grantedWithMods = 1
    /// The request was rejected; the failure info says why.
    case rejection = 2
    /// The request has not yet been processed.
    case waiting = 3
    /// A revocation is imminent.
    case revocationWarning = 4
    /// A revocation has occurred.
    case revocationNotification = 5

    /// Whether a token comes with this status.
    public var isGranted: Bool { self == .granted || self == .grantedWithMods }
}
