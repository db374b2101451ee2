public import Audit
import Foundation
import SQLKit
import Storage
public import X509

extension NationalPKI {
    /// Creates an organisation's e-seal: a P-256 key named `seal/<name>` in the key store and a qualified
    /// e-seal certificate for it from the organisations CA.
    public func createSeal(
        name: String, organisation: String, organisationIdentifier: String, actor: AuditActor
    ) async throws -> StoredCertificate {
        guard !name.isEmpty, name.utf8.count <= 64,
            name.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else {
            throw TrustError(.invalidRequest, "a seal name is 1 to 64 of A-Z, a-z, 0-9, '-' and '.'")
        }
        let keyName = "seal/\(name)"
        let key = try await keyStore.generate(name: keyName, algorithm: .p256)
        let subject = try DistinguishedName {
            OrganizationName(organisation)
            CommonName("\(organisation) e-seal")
        }
        let issuer = try await certificate(role: .organisationsCA)
        let issuerKey = try await keyStore.key(named: Self.keyName(.organisationsCA))
        let certificate = try makeCertificate(
            profile: .organisationSeal, publicKey: key.publicKey, subject: subject,
            issuerCertificate: issuer.certificate, issuerKey: issuerKey, issuerRole: .organisationsCA)
        return try await record(
            certificate, issuer: .organisationsCA, role: nil, profile: .organisationSeal, keyName: keyName,
            actor: actor, subject: DataSubject(kind: "organisation", identifier: organisationIdentifier))
    }

    /// The seal named `name`: its key and its newest certificate.
    public func seal(named name: String) async throws -> (key: Certificate.PrivateKey, certificate: StoredCertificate) {
        let keyName = "seal/\(name)"
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT issuer, serial FROM trust_certificates WHERE key_name = \(bind: keyName)
                ORDER BY issued_at DESC LIMIT 1
                """
            ).first()
        }
        guard let row,
            let stored = try await certificate(
                issuer: try row.decode(column: "issuer", as: String.self),
                serial: try row.decode(column: "serial", as: String.self))
        else { throw TrustError(.notFound, "no seal named \(name)") }
        return (try await keyStore.key(named: keyName), stored)
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
