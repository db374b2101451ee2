public import CivitasCore
public import Foundation
public import SwiftASN1
public import Trust
@_spi(FixedExpiryValidationTime) public import X509

/// Decides whether an eID card's certificate may log its holder in, and who the holder is.
///
/// In this order, each failure a distinct ``IdentityError``:
/// 1. valid now (`certificateExpired`);
/// 2. chains to the national root through the citizens CA, signatures and constraints checked by
///    swift-certificates' RFC 5280 verifier (`untrustedCertificate`);
/// 3. issued under the citizen-authentication profile: key usage digitalSignature, the clientAuth extended key
///    usage, and the profile's certificate policy (`wrongCertificateProfile`);
/// 4. good according to a fresh OCSP answer with a nonce, signed by the citizens CA or its delegated OCSP signer
///    (`certificateRevoked`, `certificateSuspended`, `revocationUnknown`);
/// 5. a personal number in its subject's serialNumber (`noPersonalNumber`).
public struct CitizenCertificateCheck: Sendable {
    /// The national root.
    public let root: Certificate
    /// The citizens CA, the only issuer of citizen-authentication certificates.
    public let citizensCA: Certificate
    /// Where OCSP requests go.
    public let ocsp: any OCSPTransport
    /// How the personal number is written in the subject.
    public let semantics: PersonalNumberSemantics
    /// How far the responder's clock may be ahead of ours, and how stale an answer may be past its nextUpdate.
    public let clockSkew: TimeInterval

    /// The citizen-authentication profile's policy OID under the PKI's arc (`2.999.1.<n>`).
    public static var authenticationPolicy: ASN1ObjectIdentifier {
        let index = CertificateProfile.allCases.firstIndex(of: .citizenAuthentication)!
        return try! ASN1ObjectIdentifier(elements: NationalPKI.policyArc + [UInt(index + 1)])
    }

    /// Creates the check.
    public init(
        root: Certificate, citizensCA: Certificate, ocsp: any OCSPTransport,
        semantics: PersonalNumberSemantics = .demoCountry, clockSkew: TimeInterval = 300
    ) {
        self.root = root
        self.citizensCA = citizensCA
        self.ocsp = ocsp
        self.semantics = semantics
        self.clockSkew = clockSkew
    }

    /// The check over `pki`'s hierarchy and its in-process OCSP responder.
    public static func national(
        _ pki: NationalPKI, semantics: PersonalNumberSemantics = .demoCountry
    ) async throws -> CitizenCertificateCheck {
        CitizenCertificateCheck(
            root: try await pki.certificate(role: .root).certificate,
            citizensCA: try await pki.certificate(role: .citizensCA).certificate,
            ocsp: LocalOCSPTransport(responder: try await pki.ocspResponder()), semantics: semantics)
    }

    /// The holder's personal number, if `certificate` passes every check at `now`.
    public func personalNumber(of certificate: Certificate, at now: Date) async throws -> PersonalNumber {
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw IdentityError(
                .certificateExpired,
                "the certificate is valid from \(Timestamp(certificate.notValidBefore)) to "
                    + "\(Timestamp(certificate.notValidAfter)), not now")
        }
        try await checkChain(certificate, at: now)
        try checkProfile(certificate)
        try await checkStatus(certificate, at: now)
        return try semantics.personalNumber(in: certificate.subject)
    }

    func checkChain(_ certificate: Certificate, at now: Date) async throws {
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore([citizensCA]))
        guard case .validCertificate(let chain) = result, chain.count == 3, chain[1] == citizensCA else {
            throw IdentityError(
                .untrustedCertificate,
                "the certificate of \(certificate.subject) does not chain to the national root through the citizens CA")
        }
    }

    func checkProfile(_ certificate: Certificate) throws {
        let usage = try? certificate.extensions.keyUsage
        guard usage?.digitalSignature == true else {
            throw IdentityError(
                .wrongCertificateProfile, "the certificate's key usage does not allow digitalSignature")
        }
        let extended = try? certificate.extensions.extendedKeyUsage
        guard extended?.contains(.clientAuth) == true else {
            throw IdentityError(
                .wrongCertificateProfile, "the certificate lacks the clientAuth extended key usage")
        }
        guard Self.policies(of: certificate).contains(Self.authenticationPolicy) else {
            throw IdentityError(
                .wrongCertificateProfile, "the certificate is not issued under the citizen-authentication policy")
        }
    }

    /// The policy identifiers in the certificatePolicies extension (RFC 5280 §4.2.1.4):
    /// `certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation`,
    /// `PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers … OPTIONAL }`.
    static func policies(of certificate: Certificate) -> [ASN1ObjectIdentifier] {
        guard let value = certificate.extensions.first(where: { $0.oid == [2, 5, 29, 32] })?.value,
            let root = try? DER.parse(value), root.identifier == .sequence,
            case .constructed(let items) = root.content
        else { return [] }
        return items.compactMap { item in
            guard item.identifier == .sequence, case .constructed(let fields) = item.content,
                let first = fields.first(where: { _ in true })
            else { return nil }
            return try? ASN1ObjectIdentifier(derEncoded: first)
        }
    }

    func checkStatus(_ certificate: Certificate, at now: Date) async throws {
        let certID = try OCSPCertID(hashAlgorithm: .sha256, certificate: certificate, issuer: citizensCA)
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let request = try OCSPRequest(certIDs: [certID], nonce: nonce)
        let sentNonce = try OCSPRequest(derEncoded: request.derEncoded).nonce
        let responseDER: [UInt8]
        do {
            responseDER = try await ocsp.send(request.derEncoded)
        } catch {
            throw IdentityError(.revocationUnknown, "the OCSP responder could not be asked: \(error)")
        }
        let single = try verifiedAnswer(responseDER, certID: certID, nonce: sentNonce, at: now)
        switch single.status {
        case .good:
            return
        case .revoked(let time, let reason) where reason == .certificateHold:
            throw IdentityError(.certificateSuspended, "the certificate is on hold since \(Timestamp(time))")
        case .revoked(let time, let reason):
            throw IdentityError(
                .certificateRevoked,
                "the certificate was revoked at \(Timestamp(time)) (\(reason?.name ?? "unspecified"))")
        default:
            throw IdentityError(.revocationUnknown, "the OCSP responder does not know the certificate")
        }
    }

    /// The SingleResponse for `certID` from a response that is successful, signed by an authorised responder
    /// (RFC 6960 §4.2.2.2: the CA itself, or a certificate the CA issued with id-kp-OCSPSigning), echoes the
    /// nonce and is current.
    func verifiedAnswer(
        _ der: [UInt8], certID: OCSPCertID, nonce: ArraySlice<UInt8>?, at now: Date
    ) throws -> OCSPSingleResponse {
        func unknown(_ why: String) -> IdentityError { IdentityError(.revocationUnknown, "OCSP: \(why)") }
        guard let response = try? OCSPResponse(derEncoded: der) else { throw unknown("the answer is not DER") }
        guard response.status == .successful, let basic = response.basicResponse else {
            throw unknown("the responder answered \(response.status)")
        }
        let signer = basic.certificates.first ?? citizensCA
        let authorised: Bool
        if signer == citizensCA {
            authorised = true
        } else {
            authorised =
                signer.issuer == citizensCA.subject
                && citizensCA.publicKey.isValidSignature(signer.signature, for: signer)
                && (try? signer.extensions.extendedKeyUsage?.contains(.ocspSigning)) == true
                && signer.notValidBefore <= now && now <= signer.notValidAfter
        }
        guard authorised else { throw unknown("the answer is not signed by a responder of the citizens CA") }
        guard basic.isSignatureValid(publicKey: signer.publicKey) else { throw unknown("the signature is invalid") }
        guard basic.nonce == nonce else { throw unknown("the answer does not echo our nonce") }
        guard let single = basic.response(for: certID) else { throw unknown("no answer about this certificate") }
        guard single.thisUpdate <= now.addingTimeInterval(clockSkew) else {
            throw unknown("the answer is from the future")
        }
        if let next = single.nextUpdate, next.addingTimeInterval(clockSkew) < now {
            throw unknown("the answer is stale")
        }
        return single
    }
}
