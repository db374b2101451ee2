import CivitasCore
public import Foundation
import X509

extension NationalPKI {
    /// The OCSP responder for both issuing CAs, answering from `trust_certificate_events` through their
    /// delegated signers, and for the root, which answers for the issuing CAs' certificates itself.
    public func ocspResponder() async throws -> OCSPResponder {
        var authorities: [OCSPResponder.Authority] = []
        var issuersByKey: [OCSPIssuer: PKIRole] = [:]
        for role in PKIRole.issuingCAs {
            guard let signer = role.ocspSigner else { continue }
            let authority = try OCSPResponder.Authority(
                caCertificate: try await certificate(role: role).certificate,
                responderCertificate: try await certificate(role: signer).certificate,
                responderKey: try await keyStore.key(named: Self.keyName(signer)))
            authorities.append(authority)
            issuersByKey[authority.issuer] = role
        }
        let root = try await certificate(role: .root).certificate
        let rootAuthority = try OCSPResponder.Authority(
            caCertificate: root, responderCertificate: root,
            responderKey: try await keyStore.key(named: Self.keyName(.root)))
        authorities.append(rootAuthority)
        issuersByKey[rootAuthority.issuer] = .root
        let pki = self
        let issuers = issuersByKey
        return try OCSPResponder(authorities: authorities) { identity in
            guard let role = issuers[identity.issuer],
                let stored = try await pki.certificate(
                    issuer: role.rawValue, serial: Hex.encode(identity.serialNumber.bytes))
            else { return nil }
            return Self.ocspStatus(stored.lifecycle)
        }
    }

    /// A suspension is `revoked` with certificateHold, as RFC 6960 §2.2 and RFC 5280 §5.3.1 have it.
    static func ocspStatus(_ lifecycle: CertificateLifecycle) -> CertificateStatus {
        switch lifecycle {
        case .active: .good
        case .suspended(let since): .revoked(time: since, reason: .certificateHold)
        case .revoked(let since, let reason): .revoked(time: since, reason: reason)
        }
    }

    /// A fresh full CRL of `role` (an issuing CA), numbered from `trust_counters`, valid for `validity`.
    public func certificateRevocationList(
        of role: PKIRole, numbers: SerialAllocator, validity: TimeInterval = 24 * 3600
    ) async throws -> CertificateRevocationList {
        guard PKIRole.revocationIssuers.contains(role) else {
            throw TrustError(.notFound, "\(role.rawValue) does not publish a CRL")
        }
        let issuer = try await certificate(role: role).certificate
        let key = try await keyStore.key(named: Self.keyName(role))
        let entries = try await revocations(issuer: role.rawValue).map { entry in
            CertificateRevocationList.Entry(
                serialNumber: Certificate.SerialNumber(bytes: Self.bytes(hex: entry.serial)),
                revocationDate: entry.since, reason: entry.reason)
        }
        let now = clock.now()
        return try await CertificateRevocationList.sign(
            issuer: issuer, key: key, crlNumber: CRLNumber(UInt64(try await numbers.allocate())), thisUpdate: now,
            nextUpdate: now.addingTimeInterval(validity), entries: entries)
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            func value(_ digit: UInt8) -> UInt8 {
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
                default: digit - UInt8(ascii: "A") + 10
                }
            }
            bytes.append(value(high) << 4 | value(low))
        }
        return bytes
    }
}
