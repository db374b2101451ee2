public import Audit
public import CivitasCore
import Crypto
import Foundation
import SQLKit
public import Storage
import SwiftASN1
public import X509

/// The national PKI: the CA hierarchy, certificate issuance under profiles, and each certificate's lifecycle.
///
/// Certificates and their status events live in `trust_certificates` and `trust_certificate_events`
/// (append-only); every issuance and status change is an audit entry written in the same transaction.
public struct NationalPKI: Sendable {
    let database: Database
    /// Where the hierarchy's keys (and other blocks' signing keys) are kept.
    public let keyStore: any TrustKeyStore
    let audit: AuditLog
    let clock: any WallClock
    /// Where relying parties fetch CRLs, OCSP answers and CA certificates (embedded in every certificate).
    public let baseURL: String
    /// The organisation named in the hierarchy's subjects.
    public let organisation: String
    /// The arc of Civitas' own certificate policies; a deployment replaces the example arc 2.999 with its own.
    public static let policyArc: [UInt] = [2, 999, 1]

    /// Creates the PKI over its storage and key store.
    public init(
        database: Database, keyStore: any TrustKeyStore, audit: AuditLog, baseURL: String,
        organisation: String = "Civitas Demo Country Trust Services", clock: any WallClock = SystemClock()
    ) {
        self.database = database
        self.keyStore = keyStore
        self.audit = audit
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.organisation = organisation
        self.clock = clock
    }

    /// Whether the hierarchy exists.
    public func isInitialised() async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT serial FROM trust_certificates WHERE role = \(bind: PKIRole.root.rawValue)")
                .first() != nil
        }
    }

    /// Creates the whole hierarchy: root, issuing CAs, time-stamping unit and OCSP signers.
    ///
    /// - Throws: ``TrustError`` `.alreadyInitialised` if a root exists.
    @discardableResult
    public func initialise(actor: AuditActor = .system("pki")) async throws -> [StoredCertificate] {
        guard try await !isInitialised() else {
            throw TrustError(.alreadyInitialised, "the national PKI exists already")
        }
        var issued: [PKIRole: (Certificate, Certificate.PrivateKey)] = [:]
        var stored: [StoredCertificate] = []
        for role in PKIRole.allCases {
            let algorithm: KeyAlgorithm = [.root, .citizensCA, .organisationsCA].contains(role) ? .p384 : .p256
            let key = try await keyStore.generate(name: Self.keyName(role), algorithm: algorithm)
            let subject = try DistinguishedName {
                OrganizationName(organisation)
                CommonName(role.commonName)
            }
            let issuer = role == .root ? (nil, key) : issued[role.issuer].map { ($0.0 as Certificate?, $0.1) }!
            let certificate = try makeCertificate(
                profile: role.profile, publicKey: key.publicKey, subject: subject, issuerCertificate: issuer.0,
                issuerKey: issuer.1, issuerRole: role.issuer)
            issued[role] = (certificate, key)
            stored.append(
                try await record(
                    certificate, issuer: role.issuer, role: role, profile: role.profile, keyName: Self.keyName(role),
                    actor: actor, subject: nil))
        }
        return stored
    }

    /// Issues an end-entity certificate for `publicKey` under `profile`.
    public func issue(
        profile: CertificateProfile, publicKey: Certificate.PublicKey, subject: DistinguishedName,
        actor: AuditActor, dataSubject: DataSubject? = nil
    ) async throws -> StoredCertificate {
        guard let issuerRole = profile.issuingRole else {
            throw TrustError(.invalidRequest, "the profile \(profile.rawValue) is not issued on request")
        }
        let issuer = try await certificate(role: issuerRole)
        let issuerKey = try await keyStore.key(named: Self.keyName(issuerRole))
        let certificate = try makeCertificate(
            profile: profile, publicKey: publicKey, subject: subject, issuerCertificate: issuer.certificate,
            issuerKey: issuerKey, issuerRole: issuerRole)
        return try await record(
            certificate, issuer: issuerRole, role: nil, profile: profile, keyName: nil, actor: actor,
            subject: dataSubject)
    }

    /// Issues from a PKCS#10 request, after checking that its signature proves possession of the key.
    public func issue(
        csr: CertificateSigningRequest, profile: CertificateProfile, actor: AuditActor, dataSubject: DataSubject? = nil
    ) async throws -> StoredCertificate {
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw TrustError(.invalidRequest, "the request's signature does not verify with its public key")
        }
        return try await issue(
            profile: profile, publicKey: csr.publicKey, subject: csr.subject, actor: actor, dataSubject: dataSubject)
    }

    func makeCertificate(
        profile: CertificateProfile, publicKey: Certificate.PublicKey, subject: DistinguishedName,
        issuerCertificate: Certificate?, issuerKey: Certificate.PrivateKey, issuerRole: PKIRole
    ) throws -> Certificate {
        let now = clock.now()
        let notBefore = now.addingTimeInterval(-60)
        let notAfter = now.addingTimeInterval(Double(profile.validityDays) * 86_400)
        var extensions = Certificate.Extensions()
        try extensions.append(Certificate.Extension(profile.basicConstraints, critical: true))
        try extensions.append(Certificate.Extension(profile.keyUsage, critical: true))
        if let eku = profile.extendedKeyUsage {
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage(eku.usages), critical: eku.critical))
        }
        try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false))
        if let issuerCertificate {
            let issuerSKI = try issuerCertificate.extensions.subjectKeyIdentifier?.keyIdentifier
            try extensions.append(
                Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: issuerSKI), critical: false))
        }
        if profile.carriesRevocationPointers {
            try extensions.append(TrustExtensions.crlDistributionPoints("\(baseURL)/crl/\(issuerRole.rawValue).crl"))
            let access = AuthorityInformationAccess([
                .init(method: .ocspServer, location: .uniformResourceIdentifier("\(baseURL)/ocsp")),
                .init(
                    method: .issuingCA,
                    location: .uniformResourceIdentifier("\(baseURL)/certs/\(issuerRole.rawValue).crt")),
            ])
            try extensions.append(Certificate.Extension(access, critical: false))
        }
        var policies = [ASN1ObjectIdentifier]()
        policies.append(
            try ASN1ObjectIdentifier(
                elements: Self.policyArc + [UInt(CertificateProfile.allCases.firstIndex(of: profile)! + 1)]))
        if profile == .citizenQualifiedSignature { policies.append(TrustExtensions.qcpNaturalQSCD) }
        if profile == .organisationSeal { policies.append(TrustExtensions.qcpLegalQSCD) }
        try extensions.append(TrustExtensions.certificatePolicies(policies))
        if let type = profile.qualifiedType {
            try extensions.append(TrustExtensions.qcStatements(type: type))
        }
        if profile == .ocspSigning { try extensions.append(TrustExtensions.ocspNoCheck()) }
        let issuerName = issuerCertificate?.subject ?? subject
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey, notValidBefore: notBefore,
            notValidAfter: notAfter, issuer: issuerName, subject: subject,
            signatureAlgorithm: Self.signatureAlgorithm(for: issuerKey), extensions: extensions,
            issuerPrivateKey: issuerKey)
    }

    func record(
        _ certificate: Certificate, issuer: PKIRole, role: PKIRole?, profile: CertificateProfile, keyName: String?,
        actor: AuditActor, subject: DataSubject?
    ) async throws -> StoredCertificate {
        let pki = self
        return try await database.transaction { sql in
            try await pki.record(
                certificate, issuer: issuer, role: role, profile: profile, keyName: keyName, actor: actor,
                subject: subject, in: sql)
        }
    }

    /// Records an issued certificate, its first status event and the audit entry, in the caller's transaction
    /// (so that a block can store what it keeps about the certificate in the same one).
    func record(
        _ certificate: Certificate, issuer: PKIRole, role: PKIRole?, profile: CertificateProfile, keyName: String?,
        actor: AuditActor, subject: DataSubject?, in sql: any SQLDatabase
    ) async throws -> StoredCertificate {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        let serial = Hex.encode(certificate.serialNumber.bytes)
        let now = clock.timestamp().microseconds
        let subjectName = certificate.subject.description
        try await sql.raw(
            """
            INSERT INTO trust_certificates (issuer, serial, role, profile, subject, not_before, not_after, key_name,
                der, issued_at)
            VALUES (\(bind: issuer.rawValue), \(bind: serial), \(bind: role?.rawValue), \(bind: profile.rawValue),
                \(bind: subjectName), \(bind: Timestamp(certificate.notValidBefore).microseconds),
                \(bind: Timestamp(certificate.notValidAfter).microseconds), \(bind: keyName), \(bind: Data(der)),
                \(bind: now))
            """
        ).run()
        try await sql.raw(
            """
            INSERT INTO trust_certificate_events (issuer, serial, version, status, reason, effective_at, recorded_at)
            VALUES (\(bind: issuer.rawValue), \(bind: serial), 1, 'active', NULL, \(bind: now), \(bind: now))
            """
        ).run()
        try await audit.append(
            AuditEvent(
                actor: actor, action: "trust.certificate.issue",
                object: AuditObject(type: "certificate", id: "\(issuer.rawValue)/\(serial)"), subject: subject,
                purpose: "issue a \(profile.rawValue) certificate for \(subjectName)"),
            in: sql)
        try await database.notify(Self.statusChannel, payload: "\(issuer.rawValue)/\(serial)", in: sql)
        try await Self.bumpStatusVersion(in: sql)
        return StoredCertificate(
            issuer: issuer.rawValue, serial: serial, role: role, profile: profile, certificate: certificate, der: der,
            lifecycle: .active)
    }

    /// The hierarchy certificate of `role`.
    public func certificate(role: PKIRole) async throws -> StoredCertificate {
        let row = try await database.read { sql in
            try await sql.raw("SELECT issuer, serial FROM trust_certificates WHERE role = \(bind: role.rawValue)")
                .first()
        }
        guard let row else {
            throw TrustError(
                .notInitialised, "the national PKI has no \(role.rawValue) certificate; run civitas pki init")
        }
        let issuer = try row.decode(column: "issuer", as: String.self)
        let serial = try row.decode(column: "serial", as: String.self)
        return try await certificate(issuer: issuer, serial: serial)!
    }

    /// The certificate `issuer`/`serial` with its current state, or `nil`.
    public func certificate(issuer: String, serial: String) async throws -> StoredCertificate? {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT c.role, c.profile, c.der, e.status, e.reason, e.effective_at
                FROM trust_certificates c JOIN trust_certificate_events e ON e.issuer = c.issuer AND e.serial = c.serial
                WHERE c.issuer = \(bind: issuer) AND c.serial = \(bind: serial.lowercased())
                ORDER BY e.version DESC LIMIT 1
                """
            ).all()
        }
        guard let row = rows.first else { return nil }
        let der = Array(try row.decode(column: "der", as: Data.self))
        let status = try row.decode(column: "status", as: String.self)
        let since = Timestamp(microseconds: try row.decode(column: "effective_at", as: Int64.self)).date
        let lifecycle: CertificateLifecycle
        switch status {
        case "suspended": lifecycle = .suspended(since: since)
        case "revoked":
            let reason = try row.decode(column: "reason", as: String?.self).flatMap(CRLReason.init(name:))
            lifecycle = .revoked(since: since, reason: reason ?? .unspecified)
        default: lifecycle = .active
        }
        guard let profile = CertificateProfile(rawValue: try row.decode(column: "profile", as: String.self)) else {
            throw TrustError(.invalidRequest, "certificate \(issuer)/\(serial) has an unknown profile")
        }
        return StoredCertificate(
            issuer: issuer, serial: serial.lowercased(),
            role: try row.decode(column: "role", as: String?.self).flatMap(PKIRole.init(rawValue:)), profile: profile,
            certificate: try Certificate(derEncoded: der), der: der, lifecycle: lifecycle)
    }

    /// ecdsa-with-SHA384 for P-384 keys, ecdsa-with-SHA256 for P-256 (RFC 5480 §4: hash matched to the curve).
    static func signatureAlgorithm(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm {
        P384.Signing.PublicKey(key.publicKey) != nil ? .ecdsaWithSHA384 : .ecdsaWithSHA256
    }

    /// The key-store name of a hierarchy role's key.
    static func keyName(_ role: PKIRole) -> String { "pki/\(role.rawValue)" }
}
