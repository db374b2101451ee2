import CivitasCore
import Foundation
import SwiftASN1
import X509

/// The validation of one SignerInfo, step by step, filling in its report as it learns.
struct SignatureCheck {
    let validator: SignatureValidator
    let signedData: CMSSignedData
    let signerInfo: CMSSignerInfo
    let pool: [Certificate]
    let now: Date
    private var report: SignatureValidationReport.Signature

    init(
        validator: SignatureValidator, signedData: CMSSignedData, signerInfo: CMSSignerInfo, pool: [Certificate],
        now: Date
    ) {
        self.validator = validator
        self.signedData = signedData
        self.signerInfo = signerInfo
        self.pool = pool
        self.now = now
        self.report = SignatureValidationReport.Signature(
            signer: nil, format: "CMS", digestAlgorithm: nil, claimedSigningTime: nil, timeStamp: nil,
            bestSignatureTime: now, chain: [], revocation: nil, indication: .totalPassed, subIndication: nil,
            messages: [])
    }

    /// Runs every check and returns the report; the first failing check decides the indication.
    mutating func run(content: SignatureValidator.SignedData) async -> SignatureValidationReport.Signature {
        do {
            try await checkAll(content: content)
        } catch let failure as ValidationFailure {
            report.indication = failure.subIndication.indication
            report.subIndication = failure.subIndication
            report.messages.insert(failure.message, at: 0)
        } catch {
            report.indication = .totalFailed
            report.subIndication = .formatFailure
            report.messages.insert("The signature could not be read: \(error)", at: 0)
        }
        return report
    }

    private mutating func checkAll(content: SignatureValidator.SignedData) async throws {
        let essCertificate: ESSSigningCertificateV2?
        let messageDigest: [UInt8]?
        do {
            essCertificate = try signerInfo.signingCertificateV2
            messageDigest = try signerInfo.messageDigest
            report.claimedSigningTime = try signerInfo.signingTime
            if signerInfo.signedAttributes != nil, try signerInfo.contentType != signedData.contentType {
                throw ValidationFailure(
                    .formatFailure, "The content-type attribute does not match the signed content's type.")
            }
        } catch let failure as ValidationFailure {
            throw failure
        } catch {
            throw ValidationFailure(.formatFailure, "The signed attributes are malformed: \(error)")
        }
        let timeStampAttribute = signerInfo.unsignedAttribute(.CMS.signatureTimeStampToken)
        if essCertificate != nil {
            report.format = timeStampAttribute == nil ? "CAdES-BASELINE-B" : "CAdES-BASELINE-T"
        } else {
            report.messages.append(
                "No signing-certificate-v2 attribute: a plain CMS signature, not CAdES baseline.")
        }

        // The signing certificate (EN 319 102-1 §5.2.3).
        let signer = try signingCertificate(ess: essCertificate)
        report.signer = .init(signer)

        // Cryptographic verification (§5.2.7): the digest of the data, then the signature value.
        guard let digestAlgorithm = CMSDigestAlgorithm(signerInfo.digestAlgorithm) else {
            throw ValidationFailure(
                .cryptoConstraintsFailure,
                "The digest algorithm \(signerInfo.digestAlgorithm.algorithm) is not accepted (SHA-256/384/512 are).")
        }
        report.digestAlgorithm = digestAlgorithm.name
        try checkDigest(messageDigest, algorithm: digestAlgorithm, content: content)
        var signedContent: [UInt8]?
        if case .document(let document) = content { signedContent = document }
        guard signerInfo.isValidSignature(publicKey: signer.publicKey, content: signedContent) else {
            throw ValidationFailure(
                .sigCryptoFailure, "The signature value does not verify with the signing certificate's public key.")
        }

        // The signature time-stamp (§5.4): a valid one proves the signature existed at its time.
        var proofOfExistence: Date?
        if let timeStampAttribute {
            let (summary, proof) = await TimeStampCheck(validator: validator, pool: pool, now: now).run(
                timeStampAttribute, over: signerInfo.signature)
            report.timeStamp = summary
            proofOfExistence = proof
            if let proof {
                report.bestSignatureTime = proof
                if let claimed = report.claimedSigningTime,
                    claimed > proof.addingTimeInterval(SignatureValidator.signingTimeTolerance)
                {
                    report.messages.append("The claimed signing time is later than the signature time-stamp.")
                }
            } else {
                report.messages.append(
                    "The signature time-stamp is not valid (\(summary.message ?? "unknown reason")); it proves nothing."
                )
            }
        }

        // The chain (§5.2.6), key usage, then revocation and validity judged at the proof of existence.
        let chain = try await validator.chain(from: signer, pool: pool).get()
        report.chain = chain.map(SignatureValidationReport.CertificateSummary.init)
        if let usage = try? signer.extensions.keyUsage, !usage.digitalSignature, !usage.nonRepudiation {
            throw ValidationFailure(
                .chainConstraintsFailure, "The signing certificate's key usage allows neither signatures nor seals.")
        }
        let statuses = await ChainStatus.check(
            chain, validator: validator, proofOfExistence: proofOfExistence, now: now, what: "signing certificate")
        report.revocation = statuses.leafSummary
        report.messages.append(contentsOf: statuses.notes)
        if let failure = statuses.failure { throw failure }
    }

    private func signingCertificate(ess: ESSSigningCertificateV2?) throws -> Certificate {
        let candidates = (pool + validator.trustAnchors).filter { signerInfo.signerIdentifier.matches($0) }
        guard let first = candidates.first else {
            throw ValidationFailure(
                .noSigningCertificateFound, "The signing certificate is neither in the signature nor supplied.")
        }
        guard let ess else { return first }
        guard let bound = ess.certificates.first,
            let certificate = candidates.first(where: { bound.matches($0) })
        else {
            throw ValidationFailure(
                .noSigningCertificateFound,
                "The certificate named by the signer identifier is not the one signing-certificate-v2 binds.")
        }
        return certificate
    }

    private func checkDigest(
        _ messageDigest: [UInt8]?, algorithm: CMSDigestAlgorithm, content: SignatureValidator.SignedData
    ) throws {
        guard signerInfo.signedAttributes != nil else {
            // Without signed attributes the signature is over the content itself.
            guard case .document = content else {
                throw ValidationFailure(
                    .signedDataNotFound, "The signature has no signed attributes; the document itself is needed.")
            }
            return
        }
        guard let messageDigest else {
            throw ValidationFailure(.formatFailure, "The signed attributes have no message-digest.")
        }
        switch content {
        case .document(let document):
            guard algorithm.hash(document) == messageDigest else {
                throw ValidationFailure(.hashFailure, "The document is not the one that was signed (digest mismatch).")
            }
        case .digest(let given, let value):
            guard given == algorithm else {
                throw ValidationFailure(
                    .signedDataNotFound,
                    "The signature uses \(algorithm.name); the document's \(given.name) digest cannot be compared.")
            }
            guard value == messageDigest else {
                throw ValidationFailure(.hashFailure, "The document is not the one that was signed (digest mismatch).")
            }
        case .none:
            throw ValidationFailure(
                .signedDataNotFound, "The signature is detached; the signed document (or its digest) is needed.")
        }
    }
}

extension SignatureValidationReport.CertificateSummary {
    init(_ certificate: Certificate) {
        self.init(
            subject: certificate.subject.description, issuer: certificate.issuer.description,
            serialNumber: Hex.encode(certificate.serialNumber.bytes), notBefore: certificate.notValidBefore,
            notAfter: certificate.notValidAfter, qualified: QualifiedStatements.isQualified(certificate))
    }
}

extension CMSDigestAlgorithm {
    /// SHA-256, SHA-384 or SHA-512.
    var name: String {
        switch self {
        case .sha256: "SHA-256"
        case .sha384: "SHA-384"
        case .sha512: "SHA-512"
        }
    }
}

/// Reads the ETSI QC statements extension (RFC 3739 §3.2.6; ETSI EN 319 412-5).
enum QualifiedStatements {
    /// Whether the certificate states QcCompliance (0.4.0.1862.1.1).
    static func isQualified(_ certificate: Certificate) -> Bool {
        guard let value = certificate.extensions[oid: TrustExtensions.qcStatementsOID]?.value,
            let root = try? DER.parse(Array(value))
        else { return false }
        guard case .constructed(let statements) = root.content else { return false }
        for statement in statements {
            guard case .constructed(let parts) = statement.content, let first = parts.first(where: { _ in true }),
                let identifier = try? ASN1ObjectIdentifier(derEncoded: first)
            else { continue }
            if identifier == TrustExtensions.qcCompliance { return true }
        }
        return false
    }
}
