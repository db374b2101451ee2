public import Foundation
public import SwiftASN1
public import X509

/// One signer's signature in a CMS SignedData (RFC 5652 5.3).
///
/// ```asn1
/// SignerInfo ::= SEQUENCE {
///     version CMSVersion,
///     sid SignerIdentifier,
///     digestAlgorithm DigestAlgorithmIdentifier,
///     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///     signatureAlgorithm SignatureAlgorithmIdentifier,
///     signature SignatureValue,
///     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// SignedAttributes ::= SET SIZE (1..MAX) OF Attribute
/// UnsignedAttributes ::= SET SIZE (1..MAX) OF Attribute
/// SignatureValue ::= OCTET STRING
/// ```
///
/// Everything up to the signature is kept exactly as read, so that adding an unsigned attribute (a CAdES
/// signature time-stamp, say) and encoding again changes nothing that was signed.
public struct CMSSignerInfo: Sendable, Hashable {
    /// The SignerInfo version: 1 with an issuer and serial number, 3 with a subject key identifier.
    public let version: Int
    /// Which certificate signed.
    public let signerIdentifier: CMSSignerIdentifier
    /// The digest algorithm of the message digest.
    public let digestAlgorithm: CMSAlgorithmIdentifier
    /// The signed attributes, or `nil` when the signature is over the content itself.
    public let signedAttributes: [CMSAttribute]?
    /// The signed attributes as the DER SET (tag 0x31) that the signature covers (RFC 5652 5.4).
    public let signedAttributesDER: [UInt8]?
    /// The signature algorithm.
    public let signatureAlgorithm: CMSAlgorithmIdentifier
    /// The signature value (for ECDSA, the DER `ECDSA-Sig-Value`).
    public let signature: [UInt8]
    /// The unsigned attributes; empty when absent.
    public var unsignedAttributes: [CMSAttribute]

    /// The encoded fields from version to signature.
    let signedPartDER: [UInt8]
    /// The whole SignerInfo exactly as read, and the unsigned attributes it had then: while they are unchanged,
    /// encoding gives back these bytes, so that a signer added beside this one leaves it byte-identical even if
    /// its producer did not sort its unsigned attributes.
    let asRead: (der: [UInt8], unsignedAttributes: [CMSAttribute])?

    init(
        version: Int,
        signerIdentifier: CMSSignerIdentifier,
        digestAlgorithm: CMSAlgorithmIdentifier,
        signedAttributes: [CMSAttribute]?,
        signedAttributesDER: [UInt8]?,
        signatureAlgorithm: CMSAlgorithmIdentifier,
        signature: [UInt8],
        unsignedAttributes: [CMSAttribute],
        signedPartDER: [UInt8],
        asRead: (der: [UInt8], unsignedAttributes: [CMSAttribute])? = nil
    ) {
        self.version = version
        self.signerIdentifier = signerIdentifier
        self.digestAlgorithm = digestAlgorithm
        self.signedAttributes = signedAttributes
        self.signedAttributesDER = signedAttributesDER
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
        self.unsignedAttributes = unsignedAttributes
        self.signedPartDER = signedPartDER
        self.asRead = asRead
    }

    /// Decodes a DER `SignerInfo`.
    public init(derEncoded: [UInt8]) throws(CMSError) {
        do {
            try self.init(node: try DER.parse(derEncoded))
        } catch let error as CMSError {
            throw error
        } catch {
            throw CMSError(.malformed, "SignerInfo: \(error)")
        }
    }

    init(node: ASN1Node) throws {
        var nodes = try DERReader.children(of: node, tag: .sequence)
        let versionNode = try DERReader.next(&nodes, "version")
        let version = try DERReader.smallInteger(versionNode)
        let sidNode = try DERReader.next(&nodes, "sid")
        let signerIdentifier = try CMSSignerIdentifier(derEncoded: sidNode)
        let digestNode = try DERReader.next(&nodes, "digestAlgorithm")
        let digestAlgorithm = try CMSAlgorithmIdentifier(derEncoded: digestNode)

        var signedAttributes: [CMSAttribute]?
        var signedAttributesDER: [UInt8]?
        let signedAttributesNode = DERReader.optional(&nodes, tag: Self.signedAttributesTag)
        if let signedAttributesNode {
            let attributes = try DERReader.all(signedAttributesNode, tag: Self.signedAttributesTag)
            guard !attributes.isEmpty else {
                throw ASN1Error.invalidASN1Object(reason: "signedAttrs is empty")
            }
            signedAttributes = try attributes.map { try CMSAttribute(derEncoded: $0) }
            signedAttributesDER = DERWriter.retagged(Array(signedAttributesNode.encodedBytes), as: DERWriter.Tag.set)
        }

        let signatureAlgorithmNode = try DERReader.next(&nodes, "signatureAlgorithm")
        let signatureAlgorithm = try CMSAlgorithmIdentifier(derEncoded: signatureAlgorithmNode)
        let signatureNode = try DERReader.next(&nodes, "signature")
        let signature = try ASN1OctetString(derEncoded: signatureNode)

        var unsignedAttributes: [CMSAttribute] = []
        if let unsignedNode = DERReader.optional(&nodes, tag: Self.unsignedAttributesTag) {
            let attributes = try DERReader.all(unsignedNode, tag: Self.unsignedAttributesTag)
            guard !attributes.isEmpty else {
                throw ASN1Error.invalidASN1Object(reason: "unsignedAttrs is empty")
            }
            unsignedAttributes = try attributes.map { try CMSAttribute(derEncoded: $0) }
        }
        try DERReader.end(&nodes, "SignerInfo")

        var signedPart: [UInt8] = []
        for part in [versionNode, sidNode, digestNode] { signedPart.append(contentsOf: part.encodedBytes) }
        if let signedAttributesNode { signedPart.append(contentsOf: signedAttributesNode.encodedBytes) }
        signedPart.append(contentsOf: signatureAlgorithmNode.encodedBytes)
        signedPart.append(contentsOf: signatureNode.encodedBytes)

        self.init(
            version: version,
            signerIdentifier: signerIdentifier,
            digestAlgorithm: digestAlgorithm,
            signedAttributes: signedAttributes,
            signedAttributesDER: signedAttributesDER,
            signatureAlgorithm: signatureAlgorithm,
            signature: Array(signature.bytes),
            unsignedAttributes: unsignedAttributes,
            signedPartDER: signedPart,
            asRead: (Array(node.encodedBytes), unsignedAttributes)
        )
    }

    static let signedAttributesTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    static let unsignedAttributesTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    /// The DER encoding; the unsigned attributes are written sorted, as a SET OF requires.
    public var derEncoded: [UInt8] {
        if let asRead, asRead.unsignedAttributes == unsignedAttributes { return asRead.der }
        guard !unsignedAttributes.isEmpty else {
            return DERWriter.tlv(DERWriter.Tag.sequence, signedPartDER)
        }
        let unsigned = DERWriter.setOf(
            unsignedAttributes.map(\.derEncoded),
            tag: DERWriter.Tag.contextConstructed(1)
        )
        return DERWriter.tlv(DERWriter.Tag.sequence, signedPartDER, unsigned)
    }

    /// The first signed attribute of `type`.
    public func signedAttribute(_ type: ASN1ObjectIdentifier) -> CMSAttribute? {
        signedAttributes?.first { $0.type == type }
    }

    /// The first unsigned attribute of `type`.
    public func unsignedAttribute(_ type: ASN1ObjectIdentifier) -> CMSAttribute? {
        unsignedAttributes.first { $0.type == type }
    }

    /// The content-type signed attribute's value, if present.
    public var contentType: ASN1ObjectIdentifier? {
        get throws(CMSError) {
            try singleValue(of: .CMS.contentType) { try ASN1ObjectIdentifier(asn1Any: $0) }
        }
    }

    /// The message-digest signed attribute's value, if present.
    public var messageDigest: [UInt8]? {
        get throws(CMSError) {
            try singleValue(of: .CMS.messageDigest) { Array(try ASN1OctetString(asn1Any: $0).bytes) }
        }
    }

    /// The signing-time signed attribute's value, if present.
    public var signingTime: Date? {
        get throws(CMSError) {
            try singleValue(of: .CMS.signingTime) { value in
                try DERTime.date(fromTimeNode: try DER.parse(DERWriter.serialize(value)))
            }
        }
    }

    /// The ESS signing-certificate-v2 signed attribute's value, if present.
    public var signingCertificateV2: ESSSigningCertificateV2? {
        get throws(CMSError) {
            try singleValue(of: .CMS.signingCertificateV2) { value in
                try ESSSigningCertificateV2(derEncoded: DERWriter.serialize(value))
            }
        }
    }

    /// Whether the signature is valid for `publicKey` over the signed attributes (or, without them, over
    /// `content`). This checks the signature only: the message digest, the certificate and its chain are the
    /// caller's to check.
    public func isValidSignature(publicKey: Certificate.PublicKey, content: [UInt8]? = nil) -> Bool {
        guard
            let algorithm = SignatureAlgorithmMapping.signatureAlgorithm(
                signature: signatureAlgorithm,
                digest: digestAlgorithm
            ),
            let signedBytes = signedAttributesDER ?? content
        else { return false }
        return publicKey.isValidSignature(signature, for: signedBytes, signatureAlgorithm: algorithm)
    }

    /// Equal when every field is: how the SignerInfo was read does not matter.
    public static func == (lhs: CMSSignerInfo, rhs: CMSSignerInfo) -> Bool {
        lhs.signedPartDER == rhs.signedPartDER && lhs.unsignedAttributes == rhs.unsignedAttributes
    }

    /// Hashes the fields that equality compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(signedPartDER)
        hasher.combine(unsignedAttributes)
    }

    private func singleValue<T>(
        of type: ASN1ObjectIdentifier,
        _ decode: (ASN1Any) throws -> T
    ) throws(CMSError) -> T? {
        let matching = signedAttributes?.filter { $0.type == type } ?? []
        guard let attribute = matching.first else { return nil }
        // RFC 5652 11: each of these attributes has exactly one value and appears at most once.
        guard matching.count == 1, attribute.values.count == 1 else {
            throw CMSError(.malformed, "signed attribute \(type) must appear once with one value")
        }
        do {
            return try decode(attribute.values[0])
        } catch {
            throw CMSError(.malformed, "signed attribute \(type): \(error)")
        }
    }
}
