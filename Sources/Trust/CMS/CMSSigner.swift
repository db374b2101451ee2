public import X509

/// A signing key with its certificate, ready to produce CMS SignerInfos (RFC 5652 5.3, 5.4).
///
/// Every SignerInfo it makes has the signed attributes content-type, message-digest, optionally signing-time,
/// and ESS signing-certificate-v2 (RFC 5035) over the SHA-256 of the certificate, plus any the caller adds.
/// Everything that does not change from one signature to the next (the signer identifier, the algorithm
/// identifiers, the signing-certificate-v2 attribute) is encoded once, here.
///
/// The key is used through `Certificate.PrivateKey.signAsynchronously`, so a PKCS#11 or HSM key plugs in as a
/// swift-certificates `CustomPrivateKey`.
public struct CMSSigner: Sendable {
    /// How the SignerInfo names the signer's certificate.
    public enum IdentifierKind: Sendable, Hashable {
        /// Issuer name and serial number (SignerInfo version 1); what RFC 3161 and most verifiers expect.
        case issuerAndSerialNumber
        /// Subject key identifier (SignerInfo version 3).
        case subjectKeyIdentifier
    }

    /// The signer's certificate.
    public let certificate: Certificate
    /// The signature algorithm.
    public let signatureAlgorithm: Certificate.SignatureAlgorithm
    /// The digest algorithm of the message-digest attribute.
    public let digestAlgorithm: CMSDigestAlgorithm
    /// How SignerInfos name the certificate.
    public let identifier: CMSSignerIdentifier

    let key: Certificate.PrivateKey
    /// version, sid and digestAlgorithm, encoded.
    let prefixDER: [UInt8]
    /// The digest AlgorithmIdentifier, encoded.
    let digestAlgorithmDER: [UInt8]
    /// The signature AlgorithmIdentifier, encoded.
    let signatureAlgorithmDER: [UInt8]
    /// The signing-certificate-v2 Attribute, encoded.
    let signingCertificateAttributeDER: [UInt8]

    /// Creates a signer.
    ///
    /// - Parameters:
    ///   - key: The private key; it must belong to `certificate`.
    ///   - certificate: The signer's certificate.
    ///   - signatureAlgorithm: The signature algorithm; by default ECDSA with the hash that matches the curve,
    ///     SHA-256 with RSA, or Ed25519 (whose message digest is SHA-512, RFC 8419).
    ///   - identifiedBy: How SignerInfos name the certificate.
    public init(
        key: Certificate.PrivateKey,
        certificate: Certificate,
        signatureAlgorithm: Certificate.SignatureAlgorithm? = nil,
        identifiedBy kind: IdentifierKind = .issuerAndSerialNumber
    ) throws(CMSError) {
        guard key.publicKey == certificate.publicKey else {
            throw CMSError(.invalidArgument, "the private key does not belong to the certificate")
        }
        let algorithm: Certificate.SignatureAlgorithm
        if let signatureAlgorithm {
            algorithm = signatureAlgorithm
        } else {
            algorithm = try SignatureAlgorithmMapping.defaultAlgorithm(for: key)
        }
        guard key.supportedSignatureAlgorithms.contains(algorithm) else {
            throw CMSError(.unsupportedAlgorithm, "the key cannot sign with \(algorithm)")
        }
        let (signatureIdentifier, digest) = try SignatureAlgorithmMapping.cmsAlgorithms(for: algorithm)
        let identifier =
            switch kind {
            case .issuerAndSerialNumber: CMSSignerIdentifier(issuerAndSerialNumberOf: certificate)
            case .subjectKeyIdentifier: try CMSSignerIdentifier(subjectKeyIdentifierOf: certificate)
            }

        self.certificate = certificate
        self.signatureAlgorithm = algorithm
        self.digestAlgorithm = digest
        self.identifier = identifier
        self.key = key
        self.digestAlgorithmDER = digest.algorithmIdentifier.derEncoded
        self.signatureAlgorithmDER = signatureIdentifier.derEncoded
        self.prefixDER =
            DERWriter.integer(identifier.signerInfoVersion) + identifier.derEncoded + digestAlgorithmDER
        let essValue = ESSSigningCertificateV2(
            certificates: [ESSSigningCertificateV2.CertificateIdentifier(certificate: certificate)]
        )
        self.signingCertificateAttributeDER = essValue.attribute.derEncoded
    }

    /// Signs: the DER SignerInfo over signed attributes made of the given encoded parts.
    ///
    /// - Parameters:
    ///   - contentTypeAttributeDER: The content-type Attribute, encoded.
    ///   - messageDigest: The digest of the content with ``digestAlgorithm``.
    ///   - signingTimeAttributeDER: The signing-time Attribute, encoded, if any.
    ///   - additionalSignedAttributesDER: Further signed Attributes, encoded.
    ///   - unsignedAttributesDER: Unsigned Attributes, encoded.
    func signerInfo(
        contentTypeAttributeDER: [UInt8],
        messageDigest: [UInt8],
        signingTimeAttributeDER: [UInt8]?,
        additionalSignedAttributesDER: [[UInt8]],
        unsignedAttributesDER: [[UInt8]]
    ) async throws(CMSError) -> [UInt8] {
        var attributes: [[UInt8]] = [
            contentTypeAttributeDER, Self.messageDigestAttribute(messageDigest), signingCertificateAttributeDER,
        ]
        if let signingTimeAttributeDER { attributes.append(signingTimeAttributeDER) }
        attributes.append(contentsOf: additionalSignedAttributesDER)
        // RFC 5652 5.4: the signature covers the DER SET OF, tag 0x31; the SignerInfo stores it [0] IMPLICIT.
        var signedAttributes = DERWriter.setOf(attributes)

        let signatureBytes: [UInt8]
        do {
            let signature = try await key.signAsynchronously(
                bytes: signedAttributes,
                signatureAlgorithm: signatureAlgorithm
            )
            signatureBytes = signature.rawRepresentation
        } catch {
            throw CMSError(.signingFailed, "the key failed to sign: \(error)")
        }
        signedAttributes[0] = DERWriter.Tag.contextConstructed(0)

        let signatureLength = DERWriter.encodedSize(contentLength: signatureBytes.count)
        let unsignedDER =
            unsignedAttributesDER.isEmpty
            ? [] : DERWriter.setOf(unsignedAttributesDER, tag: DERWriter.Tag.contextConstructed(1))
        let length =
            prefixDER.count + signedAttributes.count + signatureAlgorithmDER.count + signatureLength
            + unsignedDER.count
        var out: [UInt8] = []
        out.reserveCapacity(DERWriter.encodedSize(contentLength: length))
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: length, to: &out)
        out.append(contentsOf: prefixDER)
        out.append(contentsOf: signedAttributes)
        out.append(contentsOf: signatureAlgorithmDER)
        DERWriter.appendHeader(tag: DERWriter.Tag.octetString, length: signatureBytes.count, to: &out)
        out.append(contentsOf: signatureBytes)
        out.append(contentsOf: unsignedDER)
        return out
    }

    private static let messageDigestAttributePrefix: [UInt8] = DERWriter.objectIdentifier(.CMS.messageDigest)

    /// `Attribute { id-messageDigest, SET { OCTET STRING digest } }`.
    static func messageDigestAttribute(_ digest: [UInt8]) -> [UInt8] {
        let octets = DERWriter.octetString(digest)
        return DERWriter.tlv(
            DERWriter.Tag.sequence,
            messageDigestAttributePrefix,
            DERWriter.tlv(DERWriter.Tag.set, octets)
        )
    }
}
