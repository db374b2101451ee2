import CivitasCore
import Foundation
import SwiftASN1
import X509

/// Validates a signature time-stamp token (EN 319 102-1 §5.4): it must be over this signature value, signed
/// by a TSA certificate for timeStamping that chains to a trusted root, valid and not revoked at its genTime.
/// Only a time-stamp that passes is a proof of existence.
struct TimeStampCheck {
    let validator: SignatureValidator
    let pool: [Certificate]
    let now: Date

    /// The time-stamp's summary and, when it is a proof of existence, the time it proves: genTime plus the
    /// stated accuracy, the latest time the token can have been made.
    func run(
        _ attribute: CMSAttribute, over signatureValue: [UInt8]
    ) async -> (
        SignatureValidationReport.TimeStampSummary, Date?
    ) {
        var summary = SignatureValidationReport.TimeStampSummary(
            genTime: nil, tsa: nil, serialNumber: nil, policy: nil, indication: .totalPassed, subIndication: nil,
            message: nil)
        do {
            let latest = try await check(attribute, over: signatureValue, summary: &summary)
            return (summary, latest)
        } catch let failure as ValidationFailure {
            summary.indication = failure.subIndication.indication
            summary.subIndication = failure.subIndication
            summary.message = failure.message
        } catch {
            summary.indication = .totalFailed
            summary.subIndication = .formatFailure
            summary.message = "\(error)"
        }
        return (summary, nil)
    }

    private func check(
        _ attribute: CMSAttribute, over signatureValue: [UInt8],
        summary: inout SignatureValidationReport.TimeStampSummary
    ) async throws -> Date {
        let encodings = attribute.valueEncodings
        guard encodings.count == 1, let encoded = encodings.first else {
            throw ValidationFailure(.formatFailure, "The signature-time-stamp attribute must hold one token.")
        }
        let token: TimeStampToken
        do {
            token = try TimeStampToken(derEncoded: encoded)
        } catch {
            throw ValidationFailure(.formatFailure, "The signature time-stamp is not a time-stamp token: \(error)")
        }
        summary.genTime = token.info.genTime
        summary.serialNumber = Hex.encode(token.info.serialNumber)
        summary.policy = token.info.policy.description
        guard let algorithm = CMSDigestAlgorithm(token.info.hashAlgorithm) else {
            throw ValidationFailure(.cryptoConstraintsFailure, "The time-stamp's imprint algorithm is not accepted.")
        }
        guard algorithm.hash(signatureValue) == token.info.hashedMessage else {
            throw ValidationFailure(.hashFailure, "The time-stamp is not over this signature value.")
        }
        guard let signerInfo = token.signedData.signerInfos.first, token.signedData.signerInfos.count == 1 else {
            throw ValidationFailure(.formatFailure, "A time-stamp token has exactly one signer.")
        }
        var embedded: [Certificate] = []
        for der in token.signedData.certificates {
            if let certificate = try? Certificate(derEncoded: der) { embedded.append(certificate) }
        }
        let candidates = embedded + pool + validator.trustAnchors
        guard let tsa = candidates.first(where: { signerInfo.signerIdentifier.matches($0) }) else {
            throw ValidationFailure(
                .noSigningCertificateFound, "The TSA certificate is neither in the token nor supplied.")
        }
        summary.tsa = tsa.subject.description
        do {
            try token.verifySignature(certificate: tsa)
        } catch {
            throw ValidationFailure(.sigCryptoFailure, "The time-stamp's signature does not verify: \(error.message)")
        }
        guard let usage = try? tsa.extensions.extendedKeyUsage, usage.contains(.timeStamping),
            tsa.extensions[oid: .X509ExtensionID.extendedKeyUsage]?.critical == true
        else {
            throw ValidationFailure(
                .chainConstraintsFailure, "The TSA certificate lacks the critical timeStamping extended key usage.")
        }
        let chain = try await validator.chain(from: tsa, pool: embedded + pool).get()
        // The TSA's own claim, genTime, is the time its certificate must be good at.
        let statuses = await ChainStatus.check(
            chain, validator: validator, proofOfExistence: token.info.genTime, now: now, what: "TSA certificate")
        if let failure = statuses.failure { throw failure }
        let accuracy = Double(token.info.accuracy?.totalMicroseconds ?? 0) / 1_000_000
        return token.info.genTime.addingTimeInterval(accuracy)
    }
}
