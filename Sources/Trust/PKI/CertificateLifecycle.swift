import CivitasCore
public import Foundation

/// A certificate's lifecycle state, as recorded in `trust_certificate_events` (append-only; the newest event
/// is the current state).
public enum CertificateLifecycle: Sendable, Equatable, CustomStringConvertible {
    /// Valid (the certificate may still be expired by date; see ``StoredCertificate/isExpired(at:)``).
    case active
    /// On hold (RFC 5280 certificateHold): can be resumed.
    case suspended(since: Date)
    /// Revoked for good.
    case revoked(since: Date, reason: CRLReason)

    /// `active`, `suspended since …` or `revoked since … (reason)`.
    public var description: String {
        switch self {
        case .active: "active"
        case .suspended(let since): "suspended since \(Timestamp(since))"
        case .revoked(let since, let reason): "revoked since \(Timestamp(since)) (\(reason.name))"
        }
    }

    /// The stored status name.
    var name: String {
        switch self {
        case .active: "active"
        case .suspended: "suspended"
        case .revoked: "revoked"
        }
    }
}
