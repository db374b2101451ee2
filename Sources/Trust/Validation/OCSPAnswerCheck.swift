import Foundation
import X509

/// Decides whether an OCSP response answers a client's request about one certificate, and can be trusted now.
///
/// RFC 6960 §3.2 lists what a client must check before accepting an answer, and §4.2.2.2 who may sign it:
/// 1. the certificate identified in the response is the one in the request (the CertID matches);
/// 2. the signature on the response is valid;
/// 3. the signer is the CA that issued the certificate, or a responder certificate issued directly by that CA that
///    carries id-kp-OCSPSigning (and is valid now);
/// 4. thisUpdate is sufficiently recent, and not in the future;
/// 5. nextUpdate, when present, is later than now.
/// And RFC 8954: a response to a request with a nonce echoes it.
struct OCSPAnswerCheck: Sendable {
    /// An accepted answer.
    struct Answer: Sendable, Hashable {
        /// What the answer says, in the validator's terms.
        let status: RevocationStatus
        /// When the status was known to be correct.
        let thisUpdate: Date
        /// When newer information will be available, if the responder said.
        let nextUpdate: Date?
        /// When the response was signed.
        let producedAt: Date
        /// Whether the status cannot change any more (revoked for a reason other than certificateHold).
        var isFinal: Bool {
            if case .revoked = status { return true }
            return false
        }
    }

    /// The responder's URL, for messages.
    let url: String
    /// How old thisUpdate may be.
    let freshness: TimeInterval
    /// How far thisUpdate may lie ahead of the local clock.
    let clockSkew: TimeInterval

    /// Checks `der` as the answer to `request` (for `certID`, about a certificate issued by `issuer`) at `now`.
    ///
    /// Freshness is judged at `askedAt`, when the request was sent (`now` when not given): an answer is no fresher
    /// for arriving fast, nor staler for a slow responder or network; its nextUpdate and signer are judged at `now`.
    func check(
        _ der: [UInt8], request: OCSPRequest, certID: OCSPCertID, issuer: Certificate, now: Date,
        askedAt: Date? = nil
    ) throws(TrustError) -> Answer {
        let response: OCSPResponse
        do {
            response = try OCSPResponse(derEncoded: der)
        } catch {
            throw TrustError(
                .ocspBadReply,
                "the OCSP responder at \(url) answered with bytes that are not a DER "
                    + "OCSPResponse: \(error)")
        }
        guard response.status == .successful, let basic = response.basicResponse else {
            throw TrustError(
                .ocspBadReply, "the OCSP responder at \(url) refused the request: \(response.status)")
        }
        guard let single = basic.responses.first(where: { Self.sameCertificate($0.certID, certID) }) else {
            throw TrustError(
                .ocspBadReply,
                "the OCSP responder at \(url) answered about another certificate: no CertID in its answer matches "
                    + "the request's (serial \(certID.serialNumber))")
        }
        try checkSigner(basic, issuer: issuer, now: now)
        if let nonce = request.nonce {
            guard let echoed = basic.nonce, echoed.elementsEqual(nonce) else {
                throw TrustError(
                    .ocspUntrusted,
                    "the OCSP responder at \(url) did not echo the request's nonce: the answer may be a replay")
            }
        }
        try checkTimes(single, now: now, askedAt: askedAt ?? now)
        return Answer(
            status: Self.status(single.status, thisUpdate: single.thisUpdate), thisUpdate: single.thisUpdate,
            nextUpdate: single.nextUpdate, producedAt: basic.producedAt)
    }

    /// Whether two CertIDs name the same certificate: the same supported hash algorithm (with absent or NULL
    /// parameters), the same issuer hashes and the same serial number.
    static func sameCertificate(_ answered: OCSPCertID, _ asked: OCSPCertID) -> Bool {
        guard let algorithm = answered.hashAlgorithm, algorithm == asked.hashAlgorithm else { return false }
        return answered.issuerNameHash.elementsEqual(asked.issuerNameHash)
            && answered.issuerKeyHash.elementsEqual(asked.issuerKeyHash)
            && answered.serialMagnitude.elementsEqual(asked.serialMagnitude)
            && answered.hasNegativeSerial == asked.hasNegativeSerial
    }

    /// Finds the certificate the responder ID names, the CA itself or one sent along, checks that it may sign for
    /// the CA, and that its key verifies the signature.
    private func checkSigner(_ basic: OCSPBasicResponse, issuer: Certificate, now: Date) throws(TrustError) {
        let named: (OCSPIssuer) -> Bool = { candidate in
            switch basic.responderID {
            case .byKey(let hash): hash.elementsEqual(candidate.keyIdentifier)
            case .byName(let name): name.elementsEqual(candidate.subjectDER)
            }
        }
        if let ca = try? OCSPIssuer(certificate: issuer), named(ca) {
            guard basic.isSignatureValid(publicKey: issuer.publicKey) else {
                throw TrustError(
                    .ocspUntrusted,
                    "the signature on the answer from \(url) does not verify with the key of \(issuer.subject)")
            }
            return
        }
        guard
            let responder = basic.certificates.first(where: { certificate in
                (try? OCSPIssuer(certificate: certificate)).map(named) ?? false
            })
        else {
            throw TrustError(
                .ocspUntrusted,
                "the answer from \(url) is signed by a responder that is neither \(issuer.subject) nor a certificate "
                    + "sent with the answer")
        }
        guard responder.issuer == issuer.subject,
            issuer.publicKey.isValidSignature(responder.signature, for: responder)
        else {
            throw TrustError(
                .ocspUntrusted,
                "the answer from \(url) is signed by \(responder.subject), which \(issuer.subject) did not issue")
        }
        guard let usages = try? responder.extensions.extendedKeyUsage, usages.contains(.ocspSigning) else {
            throw TrustError(
                .ocspUntrusted,
                "the answer from \(url) is signed by \(responder.subject), which is not authorised for OCSP signing "
                    + "(no id-kp-OCSPSigning)")
        }
        guard responder.notValidBefore <= now, now <= responder.notValidAfter else {
            throw TrustError(
                .ocspUntrusted,
                "the answer from \(url) is signed by \(responder.subject), whose certificate is not valid now (valid "
                    + "from \(responder.notValidBefore) to \(responder.notValidAfter))")
        }
        guard basic.isSignatureValid(publicKey: responder.publicKey) else {
            throw TrustError(
                .ocspUntrusted,
                "the signature on the answer from \(url) does not verify with the key of \(responder.subject)")
        }
    }

    private func checkTimes(_ single: OCSPSingleResponse, now: Date, askedAt: Date) throws(TrustError) {
        let ahead = single.thisUpdate.timeIntervalSince(now)
        guard ahead <= clockSkew else {
            throw TrustError(
                .ocspStale,
                "the answer from \(url) is dated \(single.thisUpdate), \(Int(ahead)) s ahead of this clock (at most "
                    + "\(Int(clockSkew)) s allowed)")
        }
        if let nextUpdate = single.nextUpdate, now >= nextUpdate {
            throw TrustError(
                .ocspStale, "the answer from \(url) expired at its nextUpdate, \(nextUpdate); it is now \(now)")
        }
        let age = askedAt.timeIntervalSince(single.thisUpdate)
        guard age <= freshness else {
            throw TrustError(
                .ocspStale,
                "the answer from \(url) is not fresh enough: its thisUpdate, \(single.thisUpdate), was \(Int(age)) s "
                    + "old when it was asked for, more than the \(OCSPHTTPExchange.seconds(.seconds(freshness))) s "
                    + "allowed")
        }
    }

    /// good, revoked (certificateHold is a suspension) or unknown.
    static func status(_ status: CertificateStatus, thisUpdate: Date) -> RevocationStatus {
        switch status {
        case .good: .good(checkedAt: thisUpdate)
        case .unknown: .unknown
        case .revoked(let time, .certificateHold?): .suspended(since: time)
        case .revoked(let time, let reason): .revoked(since: time, reason: reason ?? .unspecified)
        }
    }
}
