public import Audit
public import CivitasCore
public import Foundation
import SQLKit
public import Storage
import SwiftASN1
public import X509

/// The remote signing service behind the GovStack eSignature API: certificates for API clients' users, issued
/// from a CSR (the key stays on the holder's device) or with a key the service creates in the PKI's key store (a
/// remote QSCD, software or PKCS#11, as seals are), and detached CAdES B-T signatures over digests.
///
/// A client sees only its own certificates and signatures: every lookup is by id *and* client, and what belongs
/// to another client is simply not found. Each certificate creation, status change and signature is an audit
/// entry with the client as the actor, written in the same transaction as the change.
public struct RemoteSigningService: Sendable {
    let pki: NationalPKI
    let database: Database
    let timeStamping: any TimeStampSource
    let clock: any WallClock

    /// Creates the service.
    ///
    /// - Parameter timeStamping: Where signature time-stamps come from (the node's own TSA, usually).
    public init(
        pki: NationalPKI, database: Database, timeStamping: any TimeStampSource, clock: any WallClock = SystemClock()
    ) {
        self.pki = pki
        self.database = database
        self.timeStamping = timeStamping
        self.clock = clock
    }

    /// A status change a client asks for.
    public enum StatusChange: Sendable {
        /// Take a suspended certificate off hold.
        case activate
        /// Put an active certificate on hold.
        case suspend
        /// Revoke for good.
        case revoke(CRLReason)
    }

    /// The audit actor for a client.
    public static func actor(_ client: APIClient) -> AuditActor {
        AuditActor(kind: .machine, id: client.id)
    }

    // MARK: - Certificates

    /// Issues a certificate for `client` under `profile`: from `csr` (whose signature must verify), or for a new
    /// P-256 key the service creates and keeps.
    ///
    /// - Parameter pseudonym: 1 to 64 of A-Z, a-z, 0-9, `.`, `_` and `-`, unique among the client's
    ///   certificates; generated when `nil`. A certificate made without a CSR names the pseudonym as its subject.
    /// - Throws: ``TrustError`` `.forbidden` for a profile the client is not allowed, `.invalidRequest` for a bad
    ///   pseudonym or CSR signature, `.conflict` for a pseudonym in use.
    public func createCertificate(
        csr: CertificateSigningRequest?, profile: CertificateProfile, pseudonym: String?, client: APIClient,
        requestID: String? = nil
    ) async throws -> RemoteCertificate {
        guard client.profiles.contains(profile), APIClient.remoteSigningProfiles.contains(profile) else {
            throw TrustError(.forbidden, "this client may not have \(profile.rawValue) certificates issued")
        }
        let pseudonym = try pseudonym.map(Self.checkedPseudonym) ?? "pseudonym-" + Hex.encode(randomBytes(8))
        if let csr, !csr.publicKey.isValidSignature(csr.signature, for: csr) {
            throw TrustError(.invalidRequest, "the CSR's signature does not verify with its public key")
        }
        guard try await !pseudonymTaken(pseudonym, client: client) else {
            throw TrustError(.conflict, "the pseudonym \(pseudonym) is in use already")
        }
        guard let issuerRole = profile.issuingRole else {
            throw TrustError(.invalidRequest, "the profile \(profile.rawValue) is not issued on request")
        }
        let id = Hex.encode(randomBytes(32))
        let issuer = try await pki.certificate(role: issuerRole)
        let issuerKey = try await pki.keyStore.key(named: NationalPKI.keyName(issuerRole))

        let publicKey: Certificate.PublicKey
        let subject: DistinguishedName
        var keyName: String?
        if let csr {
            publicKey = csr.publicKey
            subject = csr.subject
        } else {
            let name = "remote/\(id)"
            publicKey = try await pki.keyStore.generate(name: name, algorithm: .p256).publicKey
            subject = try DistinguishedName { CommonName(pseudonym) }
            keyName = name
        }
        let certificate = try pki.makeCertificate(
            profile: profile, publicKey: publicKey, subject: subject, issuerCertificate: issuer.certificate,
            issuerKey: issuerKey, issuerRole: issuerRole)
        let actor = Self.actor(client)
        let pki = self.pki
        let now = clock.timestamp()
        let storedKeyName = keyName
        let stored = try await database.transaction { sql in
            guard try await Self.pseudonymTaken(pseudonym, client: client, in: sql) == false else {
                throw TrustError(.conflict, "the pseudonym \(pseudonym) is in use already")
            }
            let stored = try await pki.record(
                certificate, issuer: issuerRole, role: nil, profile: profile, keyName: storedKeyName, actor: actor,
                subject: nil, in: sql)
            try await sql.raw(
                """
                INSERT INTO trust_remote_certificates (id, client_id, pseudonym, issuer, serial, key_name, created_at)
                VALUES (\(bind: id), \(bind: client.id), \(bind: pseudonym), \(bind: stored.issuer),
                    \(bind: stored.serial), \(bind: storedKeyName), \(bind: now.microseconds))
                """
            ).run()
            try await pki.audit.append(
                AuditEvent(
                    actor: actor, action: "trust.remote.certificate.create",
                    object: AuditObject(type: "remote-certificate", id: id),
                    purpose: "remote signing certificate \(stored.issuer)/\(stored.serial), key "
                        + (storedKeyName == nil ? "on the holder's device" : "in the service's key store"),
                    requestID: requestID),
                in: sql)
            return stored
        }
        return RemoteCertificate(
            id: id, clientID: client.id, pseudonym: pseudonym, stored: stored, keyIsHeldByService: keyName != nil,
            createdAt: now.date)
    }

    /// The client's certificate `id`.
    ///
    /// - Throws: ``TrustError`` `.notFound` when there is none, or it is another client's.
    public func certificate(id: String, client: APIClient) async throws -> RemoteCertificate {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, pseudonym, issuer, serial, key_name, created_at FROM trust_remote_certificates
                WHERE id = \(bind: id.lowercased()) AND client_id = \(bind: client.id)
                """
            ).all()
        }
        guard let row = rows.first else { throw Self.noCertificate }
        return try await remoteCertificate(row, client: client)
    }

    /// The client's certificate with `pseudonym`.
    public func certificate(pseudonym: String, client: APIClient) async throws -> RemoteCertificate {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, pseudonym, issuer, serial, key_name, created_at FROM trust_remote_certificates
                WHERE pseudonym = \(bind: pseudonym) AND client_id = \(bind: client.id)
                """
            ).all()
        }
        guard let row = rows.first else { throw Self.noCertificate }
        return try await remoteCertificate(row, client: client)
    }

    /// The client's certificates, oldest first, optionally only those in `status` now.
    public func certificates(
        client: APIClient, status: RemoteCertificateStatus? = nil
    ) async throws
        -> [RemoteCertificate]
    {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, pseudonym, issuer, serial, key_name, created_at FROM trust_remote_certificates
                WHERE client_id = \(bind: client.id) ORDER BY created_at, id
                """
            ).all()
        }
        let now = clock.now()
        var result: [RemoteCertificate] = []
        for row in rows {
            let certificate = try await remoteCertificate(row, client: client)
            if status == nil || certificate.status(at: now) == status { result.append(certificate) }
        }
        return result
    }

    /// Changes the status of the client's certificate `id` through ``NationalPKI/change(issuer:serial:_:actor:at:)``,
    /// so that OCSP and CRLs on every node answer with it at once.
    ///
    /// - Throws: ``TrustError`` `.notFound`, or `.invalidTransition` (only ACTIVE→SUSPENDED, ACTIVE→REVOKED,
    ///   SUSPENDED→ACTIVE and SUSPENDED→REVOKED are allowed).
    public func changeStatus(
        id: String, _ change: StatusChange, client: APIClient
    ) async throws -> RemoteCertificate {
        let current = try await certificate(id: id, client: client)
        let pkiChange: NationalPKI.StatusChange
        switch change {
        case .activate: pkiChange = .resume
        case .suspend: pkiChange = .suspend
        case .revoke(let reason): pkiChange = .revoke(reason)
        }
        let updated = try await pki.change(
            issuer: current.stored.issuer, serial: current.stored.serial, pkiChange, actor: Self.actor(client))
        return RemoteCertificate(
            id: current.id, clientID: current.clientID, pseudonym: current.pseudonym, stored: updated,
            keyIsHeldByService: current.keyIsHeldByService, createdAt: current.createdAt)
    }

    // MARK: - Signatures

    /// Signs `request`'s digest with the client's certificate `certificateID`: a detached CAdES B-T signature whose
    /// message digest is the given hash, stored and audited.
    ///
    /// - Throws: ``TrustError`` `.notFound`; `.conflict` when the key is on the holder's device or the certificate
    ///   is not active; `.invalidSignatureInput` when the key cannot sign that hash; the time-stamp errors of
    ///   ``CAdESSigner``.
    public func sign(
        _ request: RemoteSignatureRequest, certificateID: String, client: APIClient, requestID: String? = nil
    ) async throws -> RemoteSignature {
        let certificate = try await certificate(id: certificateID, client: client)
        return try await sign(request, with: certificate, client: client, requestID: requestID)
    }

    /// Signs with the client's certificate that has `pseudonym`.
    public func sign(
        _ request: RemoteSignatureRequest, pseudonym: String, client: APIClient, requestID: String? = nil
    ) async throws -> RemoteSignature {
        let certificate = try await certificate(pseudonym: pseudonym, client: client)
        return try await sign(request, with: certificate, client: client, requestID: requestID)
    }

    private func sign(
        _ request: RemoteSignatureRequest, with certificate: RemoteCertificate, client: APIClient, requestID: String?
    ) async throws -> RemoteSignature {
        guard certificate.keyIsHeldByService, let keyName = try await keyName(of: certificate) else {
            throw TrustError(
                .conflict,
                "the key of this certificate is on the holder's device; signing on the device comes with mobile ID")
        }
        switch certificate.status(at: clock.now()) {
        case .active: break
        case let status: throw TrustError(.conflict, "the certificate is \(status.rawValue) and cannot sign")
        }
        guard let issuerRole = PKIRole(rawValue: certificate.stored.issuer) else {
            throw TrustError(.notFound, "the certificate's issuer \(certificate.stored.issuer) is unknown")
        }
        let key = try await pki.keyStore.key(named: keyName)
        let chain = [try await pki.certificate(role: issuerRole).certificate]
        let signer = CAdESSigner.Signer(key: key, certificate: certificate.stored.certificate, chain: chain)
        let der = try await CAdESSigner(clock: clock).sign(
            digest: request.digest, algorithm: request.algorithm, signer: signer, level: .timestamped,
            timeStamping: timeStamping)
        let token = try Self.signatureTimeStamp(in: der)

        let id = Hex.encode(randomBytes(32))
        let now = clock.timestamp()
        let audit = pki.audit
        let actor = Self.actor(client)
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO trust_remote_signatures (id, client_id, certificate_id, format, hash_type, hash,
                    data_to_be_displayed, nonce, state, signature, timestamp_token, created_at)
                VALUES (\(bind: id), \(bind: client.id), \(bind: certificate.id), 'CAdES',
                    \(bind: Self.name(of: request.algorithm)), \(bind: Data(request.digest)),
                    \(bind: request.dataToBeDisplayed), \(bind: request.nonce), \(bind: request.state),
                    \(bind: Data(der)), \(bind: Data(token)), \(bind: now.microseconds))
                """
            ).run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "trust.remote.sign", object: AuditObject(type: "remote-signature", id: id),
                    purpose: "CAdES B-T signature of a \(Self.name(of: request.algorithm)) hash with remote "
                        + "certificate \(certificate.id)",
                    requestID: requestID),
                in: sql)
        }
        return RemoteSignature(
            id: id, certificateID: certificate.id, clientID: client.id, algorithm: request.algorithm,
            digest: request.digest, signature: der, timeStampToken: token, certificatePEM: certificate.pem,
            dataToBeDisplayed: request.dataToBeDisplayed, nonce: request.nonce, state: request.state,
            createdAt: now.date)
    }

    /// The client's signature `id`.
    ///
    /// - Throws: ``TrustError`` `.notFound` when there is none, or it is another client's.
    public func signature(id: String, client: APIClient) async throws -> RemoteSignature {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT s.id, s.certificate_id, s.hash_type, s.hash, s.data_to_be_displayed, s.nonce, s.state,
                    s.signature, s.timestamp_token, s.created_at, c.der
                FROM trust_remote_signatures s
                JOIN trust_remote_certificates r ON r.id = s.certificate_id
                JOIN trust_certificates c ON c.issuer = r.issuer AND c.serial = r.serial
                WHERE s.id = \(bind: id.lowercased()) AND s.client_id = \(bind: client.id)
                """
            ).all()
        }
        guard let row = rows.first else { throw TrustError(.notFound, "no such signature") }
        return try Self.signature(row, client: client)
    }

    /// The client's signatures made from `start` to `end` (both inclusive, either open), oldest first.
    public func signatures(
        client: APIClient, from start: Date? = nil, to end: Date? = nil
    ) async throws
        -> [RemoteSignature]
    {
        let lower = start.map { Timestamp($0).microseconds } ?? Int64.min
        let upper = end.map { Timestamp($0).microseconds } ?? Int64.max
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT s.id, s.certificate_id, s.hash_type, s.hash, s.data_to_be_displayed, s.nonce, s.state,
                    s.signature, s.timestamp_token, s.created_at, c.der
                FROM trust_remote_signatures s
                JOIN trust_remote_certificates r ON r.id = s.certificate_id
                JOIN trust_certificates c ON c.issuer = r.issuer AND c.serial = r.serial
                WHERE s.client_id = \(bind: client.id) AND s.created_at >= \(bind: lower)
                    AND s.created_at <= \(bind: upper)
                ORDER BY s.created_at, s.id
                """
            ).all()
        }
        return try rows.map { try Self.signature($0, client: client) }
    }

    // MARK: - Helpers

    static let noCertificate = TrustError(.notFound, "no such certificate")

    /// Pseudonyms are identifiers, not names: a small alphabet keeps them safe in URLs, logs and subjects.
    static func checkedPseudonym(_ pseudonym: String) throws -> String {
        guard !pseudonym.isEmpty, pseudonym.utf8.count <= 64,
            pseudonym.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            })
        else {
            throw TrustError(.invalidRequest, "a pseudonym is 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'")
        }
        return pseudonym
    }

    /// The API's name of a digest algorithm: `SHA2-256`, `SHA2-384`, `SHA2-512`.
    public static func name(of algorithm: CMSDigestAlgorithm) -> String {
        switch algorithm {
        case .sha256: "SHA2-256"
        case .sha384: "SHA2-384"
        case .sha512: "SHA2-512"
        }
    }

    /// The digest algorithm the API calls `name`, or `nil`.
    public static func digestAlgorithm(named name: String) -> CMSDigestAlgorithm? {
        CMSDigestAlgorithm.allCases.first { Self.name(of: $0) == name }
    }

    private func pseudonymTaken(_ pseudonym: String, client: APIClient) async throws -> Bool {
        try await database.read { sql in try await Self.pseudonymTaken(pseudonym, client: client, in: sql) }
    }

    private static func pseudonymTaken(
        _ pseudonym: String, client: APIClient, in sql: any SQLDatabase
    ) async throws -> Bool {
        try await sql.raw(
            """
            SELECT id FROM trust_remote_certificates
            WHERE client_id = \(bind: client.id) AND pseudonym = \(bind: pseudonym)
            """
        ).first() != nil
    }

    private func keyName(of certificate: RemoteCertificate) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT key_name FROM trust_remote_certificates WHERE id = \(bind: certificate.id)")
                .first()?.decode(column: "key_name", as: String?.self)
        }
    }

    private func remoteCertificate(_ row: any SQLRow, client: APIClient) async throws -> RemoteCertificate {
        let issuer = try row.decode(column: "issuer", as: String.self)
        let serial = try row.decode(column: "serial", as: String.self)
        guard let stored = try await pki.certificate(issuer: issuer, serial: serial) else {
            throw TrustError(.notFound, "the PKI has no certificate \(issuer)/\(serial)")
        }
        return RemoteCertificate(
            id: try row.decode(column: "id", as: String.self), clientID: client.id,
            pseudonym: try row.decode(column: "pseudonym", as: String.self), stored: stored,
            keyIsHeldByService: try row.decode(column: "key_name", as: String?.self) != nil,
            createdAt: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date)
    }

    private static func signature(_ row: any SQLRow, client: APIClient) throws -> RemoteSignature {
        let hashType = try row.decode(column: "hash_type", as: String.self)
        guard let algorithm = digestAlgorithm(named: hashType) else {
            throw TrustError(.invalidRequest, "a stored signature has an unknown hash type \(hashType)")
        }
        let certificate = try Certificate(derEncoded: Array(try row.decode(column: "der", as: Data.self)))
        return RemoteSignature(
            id: try row.decode(column: "id", as: String.self),
            certificateID: try row.decode(column: "certificate_id", as: String.self), clientID: client.id,
            algorithm: algorithm, digest: Array(try row.decode(column: "hash", as: Data.self)),
            signature: Array(try row.decode(column: "signature", as: Data.self)),
            timeStampToken: Array(try row.decode(column: "timestamp_token", as: Data.self)),
            certificatePEM: (try? certificate.serializeAsPEM().pemString) ?? "",
            dataToBeDisplayed: try row.decode(column: "data_to_be_displayed", as: String?.self),
            nonce: try row.decode(column: "nonce", as: String?.self),
            state: try row.decode(column: "state", as: String?.self),
            createdAt: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date)
    }

    /// The signature time-stamp token of the single SignerInfo in a CAdES B-T signature.
    static func signatureTimeStamp(in contentInfo: [UInt8]) throws -> [UInt8] {
        let signedData = try CMSSignedData(contentInfoDER: contentInfo)
        guard let attribute = signedData.signerInfos.first?.unsignedAttribute(.CMS.signatureTimeStampToken),
            let token = attribute.valueEncodings.first
        else { throw TrustError(.timeStampRefused, "the signature has no signature time-stamp") }
        return token
    }

    private func randomBytes(_ count: Int) -> [UInt8] { APIClientRegistry.randomBytes(count) }
}
