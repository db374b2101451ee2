public import Foundation
import SwiftASN1
import X509

/// A certificate issued through the remote signing API, owned by the API client that asked for it.
public struct RemoteCertificate: Sendable {
    /// The unguessable id the client signs with: 64 hex digits.
    public let id: String
    /// The client that owns it.
    public let clientID: String
    /// Its pseudonym, unique among the client's certificates.
    public let pseudonym: String
    /// The PKI certificate and its lifecycle.
    public let stored: StoredCertificate
    /// Whether the service holds the key (a remote QSCD) or the holder's device does (issued from a CSR).
    public let keyIsHeldByService: Bool
    /// When it was created.
    public let createdAt: Date

    /// The state at `date`: revoked or suspended as recorded, else expired once past notAfter, else active.
    public func status(at date: Date) -> RemoteCertificateStatus {
        switch stored.lifecycle {
        case .revoked: .revoked
        case .suspended: stored.isExpired(at: date) ? .expired : .suspended
        case .active: stored.isExpired(at: date) ? .expired : .active
        }
    }

    /// The certificate in PEM.
    public var pem: String {
        (try? stored.certificate.serializeAsPEM().pemString) ?? ""
    }
}
