public import Trust

/// The e-seal over one exchanged message: a detached CAdES signature (B-B) by the sending member's seal key over
/// the DER of the message's ``MessageManifest``.
///
/// The exchange node releases nothing it has not verified: the signature over the manifest, the chain to the
/// national root, the revocation status at the moment of checking, and that the signer is the member the message
/// claims to come from.
public struct MessageSeal: Sendable {
    /// The signature (a DER ContentInfo with a detached SignedData).
    public let signature: [UInt8]

    /// Wraps a signature received from the other node.
    public init(signature: [UInt8]) {
        self.signature = signature
    }

    /// Seals `manifest` with `signer` (its key stays in its key store; the signer may be a PKCS#11 key).
    public static func seal(
        _ manifest: MessageManifest, signer: CAdESSigner.Signer, signing: CAdESSigner = CAdESSigner()
    ) async throws -> MessageSeal {
        MessageSeal(signature: try await signing.sign(try manifest.derEncoded(), signers: [signer], level: .basic))
    }

    /// Verifies the seal over `manifest` with `validator`, and that `acceptsSigner` takes its signer (the
    /// certificate the registry lists for the claimed member).
    ///
    /// - Returns: the validation report, whose indication is TOTAL-PASSED.
    /// - Throws: ``ExchangeError`` `.sealRefused` saying why otherwise.
    @discardableResult
    public func verify(
        _ manifest: MessageManifest, with validator: SignatureValidator,
        acceptsSigner: (SignatureValidationReport.CertificateSummary) -> Bool
    ) async throws -> SignatureValidationReport {
        let report = await validator.validate(signature, signed: .document(try manifest.derEncoded()))
        guard report.indication == .totalPassed else {
            let why = report.signatures.first?.messages.first ?? report.message ?? "\(report.indication)"
            throw ExchangeError(
                .sealRefused,
                "the message's seal is \(report.indication.rawValue)\(report.subIndication.map { "/\($0.rawValue)" } ?? ""): \(why)"
            )
        }
        guard report.signatures.count == 1, let signer = report.signatures[0].signer else {
            throw ExchangeError(.sealRefused, "a message is sealed by exactly one member")
        }
        guard acceptsSigner(signer) else {
            throw ExchangeError(
                .sealRefused, "the seal is by \(signer.subject), not by the member the message comes from")
        }
        return report
    }
}
