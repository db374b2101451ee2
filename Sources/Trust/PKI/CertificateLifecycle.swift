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
    case revoked(since: Date, reason: RevocationReason)

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

/// RFC 5280 §5.3.1 CRLReason codes a revocation can carry.
public enum RevocationReason: Int, Sendable, CaseIterable, Codable {
    /// unspecified (0).
    case unspecified = 0
    /// keyCompromise (1).
    case keyCompromise = 1
    /// cACompromise (2).
    case caCompromise = 2
    /// affiliationChanged (3).
    case affiliationChanged = 3
    /// superseded (4).
    case superseded = 4
    /// cessationOfOperation (5).
    case cessationOfOperation = 5
    /// certificateHold (6): used for suspension.
    case certificateHold = 6
    /// privilegeWithdrawn (9).
    case privilegeWithdrawn = 9

    /// The name used in the CLI and API (`keyCompromise`, …).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "keyCompromise"
        case .caCompromise: "cACompromise"
        case .affiliationChanged: "affiliationChanged"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessationOfOperation"
        case .certificateHold: "certificateHold"
        case .privilegeWithdrawn: "privilegeWithdrawn"
        }
    }

    /// Parses a name as printed by ``name``.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }
}
