import Crypto
import SwiftASN1
public import X509

extension OCSPResponder {
    /// One CA the responder answers for, and the delegated responder that signs its answers.
    ///
    /// RFC 6960 §4.2.2.2: the responder certificate is issued directly by the CA and carries the extended key usage
    /// id-kp-OCSPSigning (it should also carry id-pkix-ocsp-nocheck, so that clients do not ask about the responder
    /// itself); or it is the CA certificate itself.
    public struct Authority: Sendable {
        /// Everything an answer needs, behind one reference: an `Authority` is copied on every request.
        final class Storage: Sendable {
            let issuer: OCSPIssuer
            let responderCertificate: Certificate
            /// The signing key, possibly a `CustomPrivateKey` backed by an HSM.
            let responderKey: Certificate.PrivateKey
            let signatureAlgorithm: Certificate.SignatureAlgorithm
            let signatureAlgorithmDER: [UInt8]
            /// SHA-1 of the responder's subjectPublicKey value: `ResponderID.byKey`.
            let responderKeyHash: [UInt8]
            /// The DER of `certs [0] EXPLICIT SEQUENCE OF Certificate`, holding the responder certificate.
            let certificatesField: [UInt8]

            init(
                issuer: OCSPIssuer,
                responderCertificate: Certificate,
                responderKey: Certificate.PrivateKey,
                signatureAlgorithm: Certificate.SignatureAlgorithm,
                signatureAlgorithmDER: [UInt8],
                responderKeyHash: [UInt8],
                certificatesField: [UInt8]
            ) {
                self.issuer = issuer
                self.responderCertificate = responderCertificate
                self.responderKey = responderKey
                self.signatureAlgorithm = signatureAlgorithm
                self.signatureAlgorithmDER = signatureAlgorithmDER
                self.responderKeyHash = responderKeyHash
                self.certificatesField = certificatesField
            }
        }

        let storage: Storage

        /// The CA.
        public var issuer: OCSPIssuer { storage.issuer }
        /// The certificate whose key signs the answers; sent in every response's `certs`.
        public var responderCertificate: Certificate { storage.responderCertificate }

        /// Checks that the three belong together and precomputes what every answer repeats.
        ///
        /// - Throws: `OCSPError.Code.invalidConfiguration` when the key is not the responder certificate's, or the
        ///   responder certificate is neither the CA itself nor issued and signed by the CA with id-kp-OCSPSigning.
        public init(
            caCertificate: Certificate,
            responderCertificate: Certificate,
            responderKey: Certificate.PrivateKey
        ) throws {
            guard responderKey.publicKey == responderCertificate.publicKey else {
                throw OCSPError(.invalidConfiguration, "the key does not belong to the responder certificate")
            }
            if responderCertificate != caCertificate {
                guard responderCertificate.issuer == caCertificate.subject,
                    caCertificate.publicKey.isValidSignature(responderCertificate.signature, for: responderCertificate)
                else {
                    throw OCSPError(.invalidConfiguration, "the responder certificate is not issued by the CA")
                }
                let usages = try? responderCertificate.extensions.extendedKeyUsage
                guard let usages, usages.contains(.ocspSigning) else {
                    throw OCSPError(.invalidConfiguration, "the responder certificate lacks id-kp-OCSPSigning")
                }
            }
            let parts: OCSPCertificateParts
            do {
                parts = try OCSPCertificateParts(responderCertificate)
            } catch {
                throw OCSPError(.invalidConfiguration, "cannot read the responder certificate: \(error)")
            }
            let signatureAlgorithm = try OCSPSignatureAlgorithmCoding.algorithm(for: responderCertificate.publicKey)
            var serializer = DER.Serializer()
            try serializer.serialize(responderCertificate)
            storage = Storage(
                issuer: try OCSPIssuer(certificate: caCertificate),
                responderCertificate: responderCertificate,
                responderKey: responderKey,
                signatureAlgorithm: signatureAlgorithm,
                signatureAlgorithmDER: try OCSPSignatureAlgorithmCoding.algorithmIdentifier(signatureAlgorithm),
                responderKeyHash: Array(Insecure.SHA1.hash(data: parts.publicKeyBits)),
                certificatesField: OCSPResponseEncoder.certificatesField([serializer.serializedBytes])
            )
        }
    }
}
