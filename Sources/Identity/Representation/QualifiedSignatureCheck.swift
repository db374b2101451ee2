public import CivitasCore
import Foundation
public import Trust
import X509

/// Checks that a power of attorney's signature is its signatory's qualified signature over its very document.
///
/// The signature must be one detached CAdES SignerInfo that the national PKI's validator finds TOTAL-PASSED over
/// the document's bytes, from a certificate with the QcCompliance statement whose subject carries the
/// signatory's personal number.
public struct QualifiedSignatureCheck: Sendable {
    private let validator: @Sendable () async throws -> SignatureValidator
    private let semantics: PersonalNumberSemantics

    /// Creates the check over the national PKI's validator.
    public init(pki: NationalPKI, semantics: PersonalNumberSemantics = .demoCountry) {
        self.validator = { try await pki.validator() }
        self.semantics = semantics
    }

    /// The longest accepted signature, in bytes.
    public static let maximumLength = 64 * 1024

    /// Validates `signature` over `document` for `signatory`; returns the report.
    ///
    /// - Throws: ``IdentityError`` `signatureRejected`, saying why.
    public func check(
        _ signature: [UInt8], document: [UInt8], signatory: PersonalNumber
    ) async throws -> SignatureValidationReport {
        guard signature.count <= Self.maximumLength else {
            throw IdentityError(.signatureRejected, "the signature is larger than \(Self.maximumLength) bytes")
        }
        guard let signedData = try? CMSSignedData(contentInfoDER: signature) else {
            throw IdentityError(.signatureRejected, "this is not a CMS signature (a DER ContentInfo with SignedData)")
        }
        guard signedData.signerInfos.count == 1 else {
            throw IdentityError(.signatureRejected, "the signature must have exactly one signer")
        }
        if let content = signedData.content, content != document {
            throw IdentityError(.signatureRejected, "the signature envelops another document")
        }
        let validator = try await self.validator()
        let report = await validator.validate(signature, signed: .document(document))
        guard report.indication == .totalPassed else {
            let reason = [report.indication.rawValue, report.subIndication?.rawValue].compactMap { $0 }
                .joined(separator: "/")
            throw IdentityError(
                .signatureRejected, "the signature is not valid (\(reason)): \(report.message ?? "no reason given")")
        }
        guard report.signatures.first?.signer?.qualified == true else {
            throw IdentityError(
                .signatureRejected, "the signing certificate is not a qualified certificate for electronic signatures")
        }
        guard let certificate = try? signedData.certificate(of: signedData.signerInfos[0]) else {
            throw IdentityError(.signatureRejected, "the signing certificate is not in the signature")
        }
        let signer: PersonalNumber
        do {
            signer = try semantics.personalNumber(in: certificate.subject)
        } catch {
            throw IdentityError(.signatureRejected, "the signing certificate names no personal number")
        }
        guard signer == signatory else {
            throw IdentityError(
                .signatureRejected, "the signature is not the signatory's (\(signatory)) but another person's")
        }
        return report
    }
}
