/// The outcome of an OCSP request as a whole (RFC 6960 §4.2.1).
///
/// ```
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),  -- Response has valid confirmations
///     malformedRequest      (1),  -- Illegal confirmation request
///     internalError         (2),  -- Internal error in issuer
///     tryLater              (3),  -- Try again later
///                                 -- (4) is not used
///     sigRequired           (5),  -- Must sign the request
///     unauthorized          (6)   -- Request unauthorized }
/// ```
public enum OCSPResponseStatus: UInt8, Sendable, Hashable, CaseIterable {
    /// The response carries signed answers.
    case successful = 0
    /// The request could not be decoded.
    case malformedRequest = 1
    /// The responder failed (here: the status lookup or the signing key threw).
    case internalError = 2
    /// The responder is temporarily unable to answer.
    case tryLater = 3
    /// The responder requires signed requests.
    case sigRequired = 5
    /// The responder does not answer for the certificates asked about.
    case unauthorized = 6
}
