import CivitasCore
import Foundation
import X509

/// Revocation and validity of a built chain, judged at the time the signed object is proven to have existed
/// (EN 319 102-1 §5.2.6 and §5.5): a certificate revoked, on hold or expired after that time does not spoil
/// the signature; one revoked before it does.
struct ChainStatus {
    /// The leaf's revocation status, for the report.
    var leafSummary: SignatureValidationReport.RevocationSummary?
    /// What passed only thanks to the proof of existence, in words.
    var notes: [String] = []
    /// The most serious failure, if any.
    var failure: ValidationFailure?

    /// Checks `chain` (leaf first, trust anchor last).
    ///
    /// - Parameters:
    ///   - proofOfExistence: When the object is proven to have existed (a valid time-stamp), if it is.
    ///   - what: How to name the leaf in messages ("signing certificate", "TSA certificate").
    static func check(
        _ chain: [Certificate], validator: SignatureValidator, proofOfExistence: Date?, now: Date, what: String
    ) async -> ChainStatus {
        var result = ChainStatus()
        var failures: [ValidationFailure] = []
        var leafStatus: RevocationStatus = .unknown
        // Revocation, for every certificate but the anchor.
        for index in chain.indices.dropLast() {
            let certificate = chain[index]
            let isLeaf = index == 0
            let name = isLeaf ? "The \(what)" : "The CA certificate \(certificate.subject)"
            let (status, source, sourceFailures) = await validator.revocationStatus(
                of: certificate, issuer: chain[index + 1])
            if isLeaf {
                leafStatus = status
                result.leafSummary = .init(status, source: source)
            }
            switch status {
            case .good:
                break
            case .revoked(let since, let reason):
                if let proof = proofOfExistence, proof < since {
                    result.notes.append(
                        "\(name) was revoked at \(Timestamp(since)) (\(reason.name)), after the proof of existence.")
                } else if isLeaf, let proof = proofOfExistence {
                    failures.append(
                        ValidationFailure(
                            .revoked,
                            "\(name) was revoked at \(Timestamp(since)) (\(reason.name)), before the earliest proof "
                                + "of existence (\(Timestamp(proof)))."))
                } else {
                    failures.append(
                        ValidationFailure(
                            isLeaf ? .revokedNoPOE : .revokedCANoPOE,
                            "\(name) was revoked at \(Timestamp(since)) (\(reason.name)), and nothing proves the "
                                + "signature existed before."))
                }
            case .suspended(let since):
                if let proof = proofOfExistence, proof < since {
                    result.notes.append("\(name) is on hold since \(Timestamp(since)), after the proof of existence.")
                } else {
                    failures.append(
                        ValidationFailure(
                            .tryLater,
                            "\(name) is on hold since \(Timestamp(since)); validate again once it is resumed."))
                }
            case .unknown:
                let why = sourceFailures.isEmpty ? "" : " (\(sourceFailures.joined(separator: "; ")))"
                failures.append(
                    ValidationFailure(
                        .tryLater, "No revocation information about \(name.lowercasedFirst) is available\(why)."))
            }
        }
        // Validity, for every certificate including the anchor.
        for (index, certificate) in chain.enumerated() {
            let name = index == 0 ? "The \(what)" : "The certificate \(certificate.subject)"
            let window = certificate.notValidBefore...certificate.notValidAfter
            if window.contains(now) { continue }
            if let proof = proofOfExistence {
                if window.contains(proof) {
                    result.notes.append(
                        "\(name) is outside its validity now, but the signature existed while it was valid.")
                    continue
                }
                if proof < certificate.notValidBefore {
                    failures.append(
                        ValidationFailure(
                            .notYetValid,
                            "The signature existed at \(Timestamp(proof)), before \(name.lowercasedFirst) became "
                                + "valid (\(Timestamp(certificate.notValidBefore)))."))
                    continue
                }
            }
            let notRevoked: Bool
            if case .good = leafStatus, index == 0 { notRevoked = true } else { notRevoked = false }
            let when =
                now > certificate.notValidAfter
                ? "expired at \(Timestamp(certificate.notValidAfter))"
                : "is not valid before \(Timestamp(certificate.notValidBefore))"
            failures.append(
                ValidationFailure(
                    notRevoked ? .outOfBoundsNotRevoked : .outOfBoundsNoPOE,
                    "\(name) \(when), and nothing proves the signature existed while it was valid."))
        }
        result.failure = failures.min { $0.subIndication.severity < $1.subIndication.severity }
        return result
    }
}

extension ValidationSubIndication {
    /// Which failure to report when several apply: final failures first, then revocation, then validity
    /// ranges, then missing information.
    var severity: Int {
        switch self {
        case .formatFailure, .hashFailure, .sigCryptoFailure: 0
        case .revoked, .notYetValid: 1
        case .noSigningCertificateFound, .noCertificateChainFound, .chainConstraintsFailure,
            .cryptoConstraintsFailure:
            2
        case .revokedNoPOE, .revokedCANoPOE: 3
        case .outOfBoundsNoPOE, .outOfBoundsNotRevoked: 4
        case .tryLater, .signedDataNotFound: 5
        }
    }
}

extension SignatureValidationReport.RevocationSummary {
    init(_ status: RevocationStatus, source: String?) {
        switch status {
        case .good: self.init(status: "good", since: nil, reason: nil, source: source)
        case .suspended(let since): self.init(status: "suspended", since: since, reason: nil, source: source)
        case .revoked(let since, let reason):
            self.init(status: "revoked", since: since, reason: reason.name, source: source)
        case .unknown: self.init(status: "unknown", since: nil, reason: nil, source: nil)
        }
    }
}

extension String {
    /// The string with its first character lowercased ("The x" → "the x").
    var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }
}
