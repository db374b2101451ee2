import CivitasCore
public import Foundation
public import X509

/// What a revocation source knows about one certificate.
public enum RevocationStatus: Sendable, Hashable {
    /// Not revoked and not on hold, as of `checkedAt`.
    case good(checkedAt: Date)
    /// On hold (certificateHold) since the date; may be resumed.
    case suspended(since: Date)
    /// Revoked since the date, for the reason.
    case revoked(since: Date, reason: CRLReason)
    /// This source has nothing to say about the certificate.
    case unknown
}

/// Where a validator learns whether a certificate was revoked: the PKI's own records, CRLs, OCSP.
public protocol RevocationSource: Sendable {
    /// A name for reports ("national PKI", "CRL of citizens-ca", …).
    var name: String { get }

    /// The status of `certificate`, issued by `issuer`, as this source knows it now.
    func status(of certificate: Certificate, issuer: Certificate) async throws -> RevocationStatus
}

/// Revocation data from CRLs the caller supplies (fetched from `/crl/<ca>.crl`, or kept in an archive).
///
/// A CRL counts only for certificates of the issuer that signed it; a CRL whose signature does not verify
/// with that issuer's key is ignored. The newest CRL of an issuer answers (by thisUpdate, then by CRL number,
/// since thisUpdate has whole seconds only).
public struct CRLRevocationSource: RevocationSource {
    /// The CRLs.
    public let lists: [CertificateRevocationList]

    /// Creates a source from decoded CRLs.
    public init(_ lists: [CertificateRevocationList]) {
        self.lists = lists
    }

    /// Decodes DER CRLs; a malformed one is a ``TrustError`` naming its position.
    public init(derEncoded lists: [[UInt8]]) throws {
        var decoded: [CertificateRevocationList] = []
        for (index, der) in lists.enumerated() {
            do {
                decoded.append(try CertificateRevocationList(derEncoded: der))
            } catch {
                throw TrustError(.invalidRequest, "CRL \(index + 1) is not a DER certificate revocation list: \(error)")
            }
        }
        self.lists = decoded
    }

    /// `CRL`.
    public var name: String { "CRL" }

    /// The status from the issuer's newest CRL that verifies.
    public func status(of certificate: Certificate, issuer: Certificate) async throws -> RevocationStatus {
        let issuerName = DERWriter.serialize(issuer.subject)
        let candidates = lists.filter { Array($0.issuerDER) == issuerName && $0.isSignatureValid(issuer: issuer) }
        let newest = candidates.max { older, newer in
            if older.thisUpdate != newer.thisUpdate { return older.thisUpdate < newer.thisUpdate }
            return (older.crlNumber ?? 0) < (newer.crlNumber ?? 0)
        }
        guard let newest else { return .unknown }
        guard let entry = newest.entry(for: certificate.serialNumber) else {
            return .good(checkedAt: newest.thisUpdate)
        }
        let reason = entry.reason ?? .unspecified
        if reason == .certificateHold { return .suspended(since: entry.revocationDate) }
        return .revoked(since: entry.revocationDate, reason: reason)
    }
}

/// Revocation data straight from the national PKI's lifecycle records: the same source OCSP and CRLs are
/// made from, current to the last committed change.
public struct NationalPKIRevocationSource: RevocationSource {
    private let pki: NationalPKI

    /// Creates a source over `pki`.
    public init(pki: NationalPKI) {
        self.pki = pki
    }

    /// `national PKI`.
    public var name: String { "national PKI" }

    /// The certificate's lifecycle state, when the PKI issued it; otherwise unknown.
    public func status(of certificate: Certificate, issuer: Certificate) async throws -> RevocationStatus {
        for role in [PKIRole.citizensCA, .organisationsCA, .root] {
            guard let authority = try? await pki.certificate(role: role) else { continue }
            guard authority.certificate == issuer else { continue }
            let serial = Hex.encode(certificate.serialNumber.bytes)
            guard let stored = try await pki.certificate(issuer: role.rawValue, serial: serial),
                stored.certificate == certificate
            else { return .unknown }
            switch stored.lifecycle {
            case .active: return .good(checkedAt: Date())
            case .suspended(let since): return .suspended(since: since)
            case .revoked(let since, let reason): return .revoked(since: since, reason: reason)
            }
        }
        return .unknown
    }
}
