public import CivitasCore
import Foundation
import SwiftASN1
// Chains are built without the date check, which is then judged against the proof of existence.
@_spi(DisableValidityCheck) public import X509

/// Validates CMS and CAdES signatures (ETSI EN 319 102-1, the basic and with-time processes, without
/// archive time-stamps): the message digest, the signature value, the signing certificate, the signature
/// time-stamp as proof of existence, the chain to a trusted root, validity and revocation at the time the
/// signature is proven to have existed.
///
/// The validator never throws on bad input: whatever it is given, it answers with a report whose indication
/// says what was found (a non-signature is TOTAL-FAILED/FORMAT_FAILURE).
public struct SignatureValidator: Sendable {
    /// What was signed, as far as the caller can show it.
    public enum SignedData: Sendable {
        /// The document itself (for detached signatures; an enveloping signature carries its own).
        case document([UInt8])
        /// Only the document's digest (the document stays with the caller).
        case digest(CMSDigestAlgorithm, [UInt8])
        /// Nothing: only an enveloping signature can then be validated.
        case none
    }

    /// The roots a chain must end at.
    public let trustAnchors: [Certificate]
    /// Further certificates to build chains with, besides those in each signature.
    public let intermediates: [Certificate]
    /// Where revocation status comes from, asked in order until one knows.
    public let revocationSources: [any RevocationSource]
    private let clock: any WallClock

    /// How far a claimed signing time may run ahead of the time-stamp before the report warns.
    static let signingTimeTolerance: TimeInterval = 300

    /// Creates a validator.
    public init(
        trustAnchors: [Certificate], intermediates: [Certificate] = [], revocationSources: [any RevocationSource] = [],
        clock: any WallClock = SystemClock()
    ) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.revocationSources = revocationSources
        self.clock = clock
    }

    /// Validates the signatures in `signature` (a DER ContentInfo holding a SignedData) over `signed`.
    public func validate(_ signature: [UInt8], signed: SignedData) async -> SignatureValidationReport {
        let now = clock.now()
        let signedData: CMSSignedData
        do {
            signedData = try CMSSignedData(contentInfoDER: signature)
        } catch {
            return SignatureValidationReport(
                validationTime: now, indication: .totalFailed, subIndication: .formatFailure,
                message: "This is not a CMS signature (a DER ContentInfo with SignedData): \(error)", signatures: [])
        }
        guard !signedData.signerInfos.isEmpty else {
            return SignatureValidationReport(
                validationTime: now, indication: .totalFailed, subIndication: .formatFailure,
                message: "The SignedData has no signer.", signatures: [])
        }
        var embedded: [Certificate] = []
        for der in signedData.certificates {
            if let certificate = try? Certificate(derEncoded: der) { embedded.append(certificate) }
        }
        var content = signed
        if let enveloped = signedData.content { content = .document(enveloped) }
        var reports: [SignatureValidationReport.Signature] = []
        for signerInfo in signedData.signerInfos {
            var check = SignatureCheck(
                validator: self, signedData: signedData, signerInfo: signerInfo, pool: embedded + intermediates,
                now: now)
            reports.append(await check.run(content: content))
        }
        let failing =
            reports.first { $0.indication == .totalFailed } ?? reports.first { $0.indication == .indeterminate }
        return SignatureValidationReport(
            validationTime: now, indication: failing?.indication ?? .totalPassed, subIndication: failing?.subIndication,
            message: failing?.messages.first, signatures: reports)
    }

    /// Asks the sources in order; the first that knows answers. When none does, the failures of those that threw
    /// (an unreachable responder, a stale answer) say why, each prefixed with the source's name.
    func revocationStatus(
        of certificate: Certificate, issuer: Certificate
    ) async -> (status: RevocationStatus, source: String?, failures: [String]) {
        var failures: [String] = []
        for source in revocationSources {
            do {
                let status = try await source.status(of: certificate, issuer: issuer)
                if status != .unknown { return (status, source.name, []) }
            } catch let error as TrustError {
                failures.append("\(source.name): \(error.message)")
            } catch {
                failures.append("\(source.name): \(error)")
            }
        }
        return (.unknown, nil, failures)
    }

    /// Builds a chain from `leaf` to a trust anchor through `pool`, checking signatures, basic constraints,
    /// name constraints and key usage, but not validity dates (those are judged against proof of existence).
    func chain(
        from leaf: Certificate, pool: [Certificate]
    ) async -> Result<[Certificate], ValidationFailure> {
        var verifier = Verifier(rootCertificates: CertificateStore(trustAnchors)) {
            RFC5280Policy.withValidityCheckDisabled()
            HandledExtendedKeyUsage()
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(pool)) {
        case .validCertificate(let chain):
            return .success(Array(chain))
        case .couldNotValidate(let failures):
            if let failure = failures.first {
                return .failure(
                    ValidationFailure(
                        .chainConstraintsFailure,
                        "The chain to the trusted root breaks a constraint: \(failure.policyFailureReason)."))
            }
            return .failure(
                ValidationFailure(
                    .noCertificateChainFound,
                    "No chain from \(leaf.subject) to a trusted root could be built."))
        }
    }
}

/// A failed check: the sub-indication and the reason in words.
struct ValidationFailure: Error, Sendable {
    let subIndication: ValidationSubIndication
    let message: String

    init(_ subIndication: ValidationSubIndication, _ message: String) {
        self.subIndication = subIndication
        self.message = message
    }
}

/// Lets chains through certificates with a critical extended key usage; the usage itself is checked where it
/// matters (a TSA certificate must be for timeStamping).
struct HandledExtendedKeyUsage: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
