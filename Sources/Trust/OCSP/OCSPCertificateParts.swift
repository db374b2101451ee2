import SwiftASN1
import X509

/// The exact DER of a certificate's subject name and the contents of its subjectPublicKey BIT STRING, sliced from
/// the certificate's own TBSCertificate bytes, so that hashes and copies match what other implementations compute
/// from the same certificate byte for byte.
///
/// ```
/// TBSCertificate ::= SEQUENCE {
///     version         [0] EXPLICIT Version DEFAULT v1,
///     serialNumber         CertificateSerialNumber,
///     signature            AlgorithmIdentifier,
///     issuer               Name,
///     validity             Validity,
///     subject              Name,
///     subjectPublicKeyInfo SubjectPublicKeyInfo,
///     ... }
/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
/// ```
struct OCSPCertificateParts {
    /// The subject `Name`, tag and length included.
    let subject: [UInt8]
    /// The subjectPublicKey BIT STRING's value without its unused-bits octet (RFC 6960 §4.1.1 hashes this).
    let publicKeyBits: [UInt8]

    init(_ certificate: Certificate) throws {
        let tbs = try DER.parse(certificate.tbsCertificateBytes)
        (subject, publicKeyBits) = try DER.sequence(tbs, identifier: .sequence) { nodes in
            // Skip version (when present), serialNumber, signature, issuer and validity.
            var remaining = 4
            if nodes.next()?.identifier != ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                remaining -= 1  // that was serialNumber: a v1 certificate has no version field
            }
            for _ in 0..<remaining { _ = nodes.next() }
            guard let subject = nodes.next(), let spki = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "TBSCertificate too short")
            }
            let key = try DER.sequence(spki, identifier: .sequence) { spkiNodes in
                _ = spkiNodes.next()
                return try ASN1BitString(derEncoded: &spkiNodes)
            }
            while nodes.next() != nil {}  // issuerUniqueID, subjectUniqueID, extensions
            return (Array(subject.encodedBytes), Array(key.bytes))
        }
    }
}
