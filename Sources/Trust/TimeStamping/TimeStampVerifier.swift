import Foundation
public import SwiftASN1
@_spi(FixedExpiryValidationTime) public import X509

/// Checks a time-stamp reply or token the way a relying party must (RFC 3161 2.4.2 and 2.3), for any TSA.
///
/// In order, each failure with its own ``TimeStampError/Code``:
/// 1. the reply is a DER TimeStampResp (`malformedResponse`) whose status is granted (`notGranted`);
/// 2. the token's message imprint has the expected hash algorithm and digest (`imprintMismatch`);
/// 3. its nonce is the one sent, when one was (`nonceMismatch`), and its policy the one asked for, when one was
///    (`policyMismatch`);
/// 4. the TSA certificate is found, in the token or among the given intermediates (`untrustedSigner`), and the
///    token's CMS signature is valid for it (`invalidToken`, ``TimeStampToken/verifySignature(certificate:)``);
/// 5. the TSA certificate chains to one of the trust anchors under RFC 5280 at genTime, and has a critical
///    extended key usage of only id-kp-timeStamping (`untrustedSigner`).
///
/// Revocation of the TSA certificate is not checked here: that needs the TSA's CRL or OCSP responder, and a
/// validation policy that says which to ask.
public struct TimeStampVerifier: Sendable {
    /// What a token must assert to be the one asked for.
    public struct Expectation: Sendable, Hashable {
        /// The hash algorithm of the imprint.
        public var hashAlgorithm: CMSDigestAlgorithm
        /// The digest of the time-stamped data.
        public var digest: [UInt8]
        /// The nonce sent, unsigned big-endian; `nil` leaves the nonce unchecked.
        public var nonce: [UInt8]?
        /// The policy asked for; `nil` accepts any policy.
        public var policy: ASN1ObjectIdentifier?

        /// An expectation from its parts.
        public init(
            hashAlgorithm: CMSDigestAlgorithm,
            digest: [UInt8],
            nonce: [UInt8]? = nil,
            policy: ASN1ObjectIdentifier? = nil
        ) {
            self.hashAlgorithm = hashAlgorithm
            self.digest = digest
            self.nonce = nonce
            self.policy = policy
        }

        /// An expectation for `data`, hashed with `hashAlgorithm`.
        public init(
            data: [UInt8],
            hashAlgorithm: CMSDigestAlgorithm = .sha256,
            nonce: [UInt8]? = nil,
            policy: ASN1ObjectIdentifier? = nil
        ) {
            self.init(hashAlgorithm: hashAlgorithm, digest: hashAlgorithm.hash(data), nonce: nonce, policy: policy)
        }

        /// The expectation a DER TimeStampReq sets: its imprint, its nonce if any, its policy if any.
        public init(query: [UInt8]) throws(TimeStampError) {
            let request = try TimeStampRequest(derEncoded: query)
            self.init(
                hashAlgorithm: request.hashAlgorithm,
                digest: request.hashedMessage,
                nonce: request.nonce,
                policy: request.policy
            )
        }

        /// The checks of a TSTInfo that need no trust: version 1, the imprint, the nonce and the policy (steps 2
        /// and 3 of ``TimeStampVerifier``). Returns the imprint's hash algorithm.
        @discardableResult
        public func check(_ info: TimeStampTokenInfo) throws(TimeStampError) -> CMSDigestAlgorithm {
            guard info.version == 1 else {
                throw TimeStampError(.malformedResponse, "the TSTInfo's version is \(info.version), not 1")
            }
            guard let algorithm = CMSDigestAlgorithm(info.hashAlgorithm), algorithm == hashAlgorithm else {
                throw TimeStampError(
                    .imprintMismatch,
                    "the token's imprint algorithm \(info.hashAlgorithm.algorithm.dottedString) is not \(hashAlgorithm)"
                )
            }
            guard info.hashedMessage == digest else {
                throw TimeStampError(.imprintMismatch, "the token's imprint is not the digest of the data")
            }
            if let nonce {
                guard let echoed = info.nonce else {
                    throw TimeStampError(.nonceMismatch, "the request had a nonce, and the token has none")
                }
                guard Self.magnitude(echoed) == Self.magnitude(nonce) else {
                    throw TimeStampError(.nonceMismatch, "the token's nonce is not the request's")
                }
            }
            if let policy, policy != info.policy {
                throw TimeStampError(
                    .policyMismatch, "the token's policy is \(info.policy.dottedString), not \(policy.dottedString)")
            }
            return algorithm
        }

        /// A big-endian number without leading zero octets, so that `00 8F` and `8F` compare equal.
        private static func magnitude(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
            bytes[...].drop(while: { $0 == 0 })
        }
    }

    /// The roots trusted to certify TSAs.
    public let trustAnchors: [Certificate]
    /// Further certificates that may complete a chain, beside those the token carries (a TSA certificate left out
    /// of a token made without certReq goes here too).
    public let intermediates: [Certificate]

    /// Creates a verifier.
    public init(trustAnchors: [Certificate], intermediates: [Certificate] = []) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
    }

    /// Checks a DER TimeStampResp against what was asked for.
    public func verify(
        reply: [UInt8], expecting expectation: Expectation
    ) async throws(TimeStampError)
        -> VerifiedTimeStamp
    {
        let response = try TimeStampResponse(derEncoded: reply)
        guard response.status.isGranted, let token = response.token else {
            var reason = "the TSA did not grant the time-stamp: status \(response.status)"
            if !response.statusStrings.isEmpty { reason += ", \"\(response.statusStrings.joined(separator: "; "))\"" }
            if !response.failureInfo.isEmpty { reason += ", failure info \(response.failureInfo.rawValue)" }
            throw TimeStampError(.notGranted, reason)
        }
        return try await verify(token: token, expecting: expectation)
    }

    /// Checks a token (from a reply, or from a CAdES signature-time-stamp attribute) against what was asked for.
    public func verify(
        token: TimeStampToken, expecting expectation: Expectation
    ) async throws(TimeStampError)
        -> VerifiedTimeStamp
    {
        let info = token.info
        let algorithm = try expectation.check(info)
        let carried: [Certificate]
        do {
            carried = try token.signedData.parsedCertificates()
        } catch {
            throw TimeStampError(.malformedResponse, "the token's certificates: \(error)")
        }
        let signer = try signerCertificate(of: token, among: carried)
        try token.verifySignature(certificate: signer)
        let chain = try await validate(signer, at: info.genTime, with: carried)
        return VerifiedTimeStamp(
            genTime: info.genTime,
            serialNumber: info.serialNumber,
            policy: info.policy,
            tsaName: info.tsaName,
            accuracy: info.accuracy,
            hashAlgorithm: algorithm,
            nonce: info.nonce,
            chain: chain,
            token: token
        )
    }

    /// The certificate the single SignerInfo names: the token's own, or one of the given intermediates.
    private func signerCertificate(
        of token: TimeStampToken, among carried: [Certificate]
    ) throws(TimeStampError)
        -> Certificate
    {
        guard token.signedData.signerInfos.count == 1 else {
            throw TimeStampError(
                .invalidToken, "a token has exactly one signer, not \(token.signedData.signerInfos.count)")
        }
        let identifier = token.signedData.signerInfos[0].signerIdentifier
        guard let certificate = (carried + intermediates).first(where: { identifier.matches($0) }) else {
            throw TimeStampError(
                .untrustedSigner,
                "the token does not carry the TSA certificate and none was given (ask with certReq, or pass it)"
            )
        }
        return certificate
    }

    /// Builds and checks the chain from the TSA certificate to a trust anchor, as of `genTime`.
    private func validate(
        _ signer: Certificate, at genTime: Date, with carried: [Certificate]
    )
        async throws(TimeStampError) -> [Certificate]
    {
        guard !trustAnchors.isEmpty else {
            throw TimeStampError(.untrustedSigner, "no trust anchor was given")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(trustAnchors)) {
            RFC5280Policy(fixedExpiryValidationTime: genTime)
            TimeStampingUsagePolicy()
        }
        let result = await verifier.validate(
            leaf: signer, intermediates: CertificateStore(carried + intermediates))
        switch result {
        case .validCertificate(let chain):
            return Array(chain)
        case .couldNotValidate(let failures):
            // swift-certificates' reasons quote whole certificates; name them by subject instead.
            let reasons = Set(
                failures.map { failure in
                    failure.chain.reduce(failure.policyFailureReason.description) { reason, certificate in
                        reason.replacingOccurrences(of: "\(certificate)", with: "'\(certificate.subject)'")
                    }
                }
            ).sorted()
            let detail =
                reasons.isEmpty
                ? "no chain from '\(signer.subject)' to a trust anchor" : reasons.joined(separator: "; ")
            throw TimeStampError(.untrustedSigner, "the TSA certificate is not trusted at genTime: \(detail)")
        }
    }
}
