public import Foundation
public import SwiftASN1
public import X509

/// Produces CMS SignedData messages (RFC 5652 5) for one content type, with one or more signers.
///
/// The parts that do not change between messages (the certificates SET, sorted; the digest algorithms SET;
/// the content-type attribute; each signer's identifier, algorithms and signing-certificate-v2 attribute)
/// are encoded once, when the builder is made, so signing costs a hash, a signature and a few copies.
///
/// Every SET OF is written sorted by its elements' encodings (X.690 11.6).
public struct CMSSignedDataBuilder: Sendable {
    /// The signers, each of which adds one SignerInfo.
    public let signers: [CMSSigner]
    /// The encapsulated content type.
    public let contentType: ASN1ObjectIdentifier

    let contentTypeDER: [UInt8]
    let contentTypeAttributeDER: [UInt8]
    let versionDER: [UInt8]
    let digestAlgorithmsDER: [UInt8]
    let certificatesDER: [UInt8]
    /// The distinct digest algorithms of the signers, in signer order.
    let digestAlgorithms: [CMSDigestAlgorithm]

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - signers: The signers.
    ///   - certificates: The certificates to carry in the `certificates` field (usually each signer's and
    ///     its chain); none leaves the field out.
    ///   - contentType: The encapsulated content type; `id-data` by default.
    public init(
        signers: [CMSSigner],
        certificates: [Certificate] = [],
        contentType: ASN1ObjectIdentifier = .CMS.data
    ) {
        self.signers = signers
        self.contentType = contentType
        self.contentTypeDER = DERWriter.objectIdentifier(contentType)
        self.contentTypeAttributeDER = DERWriter.tlv(
            DERWriter.Tag.sequence,
            DERWriter.objectIdentifier(.CMS.contentType),
            DERWriter.tlv(DERWriter.Tag.set, contentTypeDER)
        )
        var digests: [CMSDigestAlgorithm] = []
        for signer in signers where !digests.contains(signer.digestAlgorithm) {
            digests.append(signer.digestAlgorithm)
        }
        self.digestAlgorithms = digests
        self.digestAlgorithmsDER = DERWriter.setOf(digests.map(\.algorithmIdentifier.derEncoded))
        var encodings: [[UInt8]] = []
        for certificate in certificates {
            let encoded = DERWriter.serialize(certificate)
            if !encodings.contains(encoded) { encodings.append(encoded) }
        }
        self.certificatesDER =
            encodings.isEmpty ? [] : DERWriter.setOf(encodings, tag: DERWriter.Tag.contextConstructed(0))
        self.versionDER = DERWriter.integer(
            CMSSignedData.version(
                certificates: encodings,
                revocationInformation: [],
                signerInfoVersions: signers.map(\.identifier.signerInfoVersion),
                contentType: contentType
            )
        )
    }

    /// Signs `content` and returns the DER ContentInfo wrapping the SignedData.
    ///
    /// - Parameters:
    ///   - content: The content; its digest goes into each signer's message-digest attribute.
    ///   - detached: Whether to leave the content out of the message (a detached signature).
    ///   - signingTime: The signing-time attribute's value, or `nil` to leave the attribute out.
    ///   - signedAttributes: Further signed attributes for every signer.
    ///   - unsignedAttributes: Unsigned attributes for every signer.
    public func sign(
        _ content: [UInt8],
        detached: Bool = false,
        signingTime: Date? = nil,
        signedAttributes: [CMSAttribute] = [],
        unsignedAttributes: [CMSAttribute] = []
    ) async throws(CMSError) -> [UInt8] {
        try Self.checkCallerAttributes(signedAttributes)
        return try await layout(
            content,
            detached: detached,
            signingTime: signingTime,
            signedAttributesDER: signedAttributes.map(\.derEncoded),
            unsignedAttributesDER: unsignedAttributes.map(\.derEncoded)
        ).contentInfo()
    }

    /// Signs `content` and returns the SignedData, to inspect or extend before encoding.
    public func signedData(
        _ content: [UInt8],
        detached: Bool = false,
        signingTime: Date? = nil,
        signedAttributes: [CMSAttribute] = [],
        unsignedAttributes: [CMSAttribute] = []
    ) async throws(CMSError) -> CMSSignedData {
        try Self.checkCallerAttributes(signedAttributes)
        let encoded = try await layout(
            content,
            detached: detached,
            signingTime: signingTime,
            signedAttributesDER: signedAttributes.map(\.derEncoded),
            unsignedAttributesDER: unsignedAttributes.map(\.derEncoded)
        ).signedData()
        return try CMSSignedData(derEncoded: encoded)
    }

    /// Signs content that the caller has hashed already: a detached SignedData whose message-digest attribute is
    /// `messageDigest`, for a signer who holds only the document's hash (a remote signing service).
    ///
    /// - Parameters:
    ///   - messageDigest: The content's digest with `algorithm`.
    ///   - algorithm: Every signer's digest algorithm must be this one.
    /// - Throws: ``CMSError`` `.invalidArgument` when the digest's length is not the algorithm's, or a signer
    ///   hashes with another algorithm.
    public func signedData(
        messageDigest: [UInt8],
        algorithm: CMSDigestAlgorithm,
        signingTime: Date? = nil,
        signedAttributes: [CMSAttribute] = [],
        unsignedAttributes: [CMSAttribute] = []
    ) async throws(CMSError) -> CMSSignedData {
        try Self.checkCallerAttributes(signedAttributes)
        guard messageDigest.count == algorithm.digestLength else {
            throw CMSError(
                .invalidArgument,
                "a \(algorithm) digest is \(algorithm.digestLength) bytes, not \(messageDigest.count)")
        }
        if let other = signers.first(where: { $0.digestAlgorithm != algorithm }) {
            throw CMSError(
                .invalidArgument,
                "the signer \(other.certificate.subject) hashes with \(other.digestAlgorithm), not \(algorithm)")
        }
        let encoded = try await layout(
            digests: digestAlgorithms.map { _ in messageDigest },
            content: nil,
            signingTime: signingTime,
            signedAttributesDER: signedAttributes.map(\.derEncoded),
            unsignedAttributesDER: unsignedAttributes.map(\.derEncoded)
        ).signedData()
        return try CMSSignedData(derEncoded: encoded)
    }

    private static let builtInAttributeTypes: [ASN1ObjectIdentifier] = [
        .CMS.contentType, .CMS.messageDigest, .CMS.signingTime, .CMS.signingCertificateV2,
    ]

    /// Refuses caller attributes that the builder writes itself, which would otherwise appear twice.
    private static func checkCallerAttributes(_ attributes: [CMSAttribute]) throws(CMSError) {
        if let duplicate = attributes.first(where: { builtInAttributeTypes.contains($0.type) }) {
            throw CMSError(.invalidArgument, "signed attribute \(duplicate.type) is written by the builder")
        }
    }

    /// Signs and lays out the SignedData without writing it yet.
    func layout(
        _ content: [UInt8],
        detached: Bool,
        signingTime: Date?,
        signedAttributesDER: [[UInt8]],
        unsignedAttributesDER: [[UInt8]]
    ) async throws(CMSError) -> CMSSignedDataLayout {
        try await layout(
            digests: digestAlgorithms.map { $0.hash(content) },
            content: detached ? nil : content,
            signingTime: signingTime,
            signedAttributesDER: signedAttributesDER,
            unsignedAttributesDER: unsignedAttributesDER
        )
    }

    /// Signs digests (one per entry of ``digestAlgorithms``) and lays out the SignedData around `content`.
    func layout(
        digests: [[UInt8]],
        content: [UInt8]?,
        signingTime: Date?,
        signedAttributesDER: [[UInt8]],
        unsignedAttributesDER: [[UInt8]]
    ) async throws(CMSError) -> CMSSignedDataLayout {
        var signingTimeAttribute: [UInt8]?
        if let signingTime {
            signingTimeAttribute = DERWriter.tlv(
                DERWriter.Tag.sequence,
                DERWriter.objectIdentifier(.CMS.signingTime),
                DERWriter.tlv(DERWriter.Tag.set, try DERTime.signingTime(signingTime))
            )
        }
        var signerInfos: [[UInt8]] = []
        signerInfos.reserveCapacity(signers.count)
        for signer in signers {
            let digest = digests[digestAlgorithms.firstIndex(of: signer.digestAlgorithm)!]
            signerInfos.append(
                try await signer.signerInfo(
                    contentTypeAttributeDER: contentTypeAttributeDER,
                    messageDigest: digest,
                    signingTimeAttributeDER: signingTimeAttribute,
                    additionalSignedAttributesDER: signedAttributesDER,
                    unsignedAttributesDER: unsignedAttributesDER
                )
            )
        }
        return CMSSignedDataLayout(
            versionDER: versionDER,
            digestAlgorithmsDER: digestAlgorithmsDER,
            contentTypeDER: contentTypeDER,
            content: content,
            certificatesDER: certificatesDER,
            revocationInformationDER: [],
            signerInfosDER: DERWriter.setOf(signerInfos)
        )
    }
}
