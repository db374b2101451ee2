import SwiftASN1
import X509

/// The `AlgorithmIdentifier` of each signature algorithm OCSP responses and CRLs are signed with, and the choice of
/// algorithm for a key.
///
/// ```
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
/// ECDSA and Ed25519 identifiers carry no parameters (RFC 5758 §3.2, RFC 8410 §3); the RSA PKCS #1 v1.5 ones carry
/// NULL (RFC 4055 §5), and are accepted without it when read.
enum OCSPSignatureAlgorithmCoding {
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 13]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

    private static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    private static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    private static let secp256r1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    private static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    private static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]

    /// The algorithm a key of this kind signs with: ECDSA with the hash that matches the curve's strength,
    /// RSA with SHA-256, or Ed25519.
    static func algorithm(for publicKey: Certificate.PublicKey) throws -> Certificate.SignatureAlgorithm {
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
        var serializer = DER.Serializer()
        try serializer.serialize(publicKey)
        let spki = try DER.parse(serializer.serializedBytes)
        let (oid, curve) = try DER.sequence(spki, identifier: .sequence) { nodes in
            guard let algorithm = nodes.next(), nodes.next() != nil else {
                throw ASN1Error.invalidASN1Object(reason: "SubjectPublicKeyInfo")
            }
            return try DER.sequence(algorithm, identifier: .sequence) { fields in
                let oid = try ASN1ObjectIdentifier(derEncoded: &fields)
                let parameter = fields.next()
                let curve: ASN1ObjectIdentifier? =
                    if let parameter, parameter.identifier == .objectIdentifier {
                        try ASN1ObjectIdentifier(derEncoded: parameter)
                    } else {
                        nil
                    }
                return (oid, curve)
            }
        }
        switch (oid, curve) {
        case (ecPublicKey, secp256r1): return .ecdsaWithSHA256
        case (ecPublicKey, secp384r1): return .ecdsaWithSHA384
        case (ecPublicKey, secp521r1): return .ecdsaWithSHA512
        case (rsaEncryption, _): return .sha256WithRSAEncryption
        case (ed25519, _): return .ed25519
        default: throw OCSPError(.unsupportedAlgorithm, "no signature algorithm for key \(oid)")
        }
    }

    /// The DER `AlgorithmIdentifier` of `algorithm`.
    static func algorithmIdentifier(_ algorithm: Certificate.SignatureAlgorithm) throws -> [UInt8] {
        let (oid, nullParameters): (ASN1ObjectIdentifier, Bool) =
            switch algorithm {
            case .ecdsaWithSHA256: (ecdsaWithSHA256, false)
            case .ecdsaWithSHA384: (ecdsaWithSHA384, false)
            case .ecdsaWithSHA512: (ecdsaWithSHA512, false)
            case .sha256WithRSAEncryption: (sha256WithRSAEncryption, true)
            case .sha384WithRSAEncryption: (sha384WithRSAEncryption, true)
            case .sha512WithRSAEncryption: (sha512WithRSAEncryption, true)
            case .ed25519: (ed25519, false)
            default: throw OCSPError(.unsupportedAlgorithm, "cannot sign with \(algorithm)")
            }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { sequence in
            try sequence.serialize(oid)
            if nullParameters { try sequence.serialize(ASN1Null()) }
        }
        return serializer.serializedBytes
    }

    /// The signature algorithm an `AlgorithmIdentifier` node names.
    static func algorithm(from node: ASN1Node) throws -> Certificate.SignatureAlgorithm {
        let (oid, parameters) = try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next()
            guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "AlgorithmIdentifier") }
            return (oid, parameters)
        }
        let isNull = parameters?.identifier == .null
        switch oid {
        case ecdsaWithSHA256 where parameters == nil: return .ecdsaWithSHA256
        case ecdsaWithSHA384 where parameters == nil: return .ecdsaWithSHA384
        case ecdsaWithSHA512 where parameters == nil: return .ecdsaWithSHA512
        case ed25519 where parameters == nil: return .ed25519
        case sha256WithRSAEncryption where parameters == nil || isNull: return .sha256WithRSAEncryption
        case sha384WithRSAEncryption where parameters == nil || isNull: return .sha384WithRSAEncryption
        case sha512WithRSAEncryption where parameters == nil || isNull: return .sha512WithRSAEncryption
        default: throw OCSPError(.unsupportedAlgorithm, "unsupported signature algorithm \(oid)")
        }
    }
}
