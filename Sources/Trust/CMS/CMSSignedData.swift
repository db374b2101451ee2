public import SwiftASN1
public import X509

/// A CMS SignedData message (RFC 5652 5), as read back from DER.
///
/// ```asn1
/// SignedData ::= SEQUENCE {
///     version CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos SignerInfos }
/// DigestAlgorithmIdentifiers ::= SET OF DigestAlgorithmIdentifier
/// SignerInfos ::= SET OF SignerInfo
/// EncapsulatedContentInfo ::= SEQUENCE {
///     eContentType ContentType,
///     eContent [0] EXPLICIT OCTET STRING OPTIONAL }
/// CertificateSet ::= SET OF CertificateChoices
/// RevocationInfoChoices ::= SET OF RevocationInfoChoice
/// ```
///
/// Decoding requires DER lengths but accepts SET OF elements in any order (other producers do not all sort
/// them, and nothing signed depends on it); encoding always sorts them, as DER requires.
/// ``CMSSignedDataBuilder`` produces new messages; this type reads them and writes them back, e.g. after an
/// unsigned attribute was added to a signer.
public struct CMSSignedData: Sendable, Hashable {
    /// The version as read (encoding computes it again from the fields, RFC 5652 5.1).
    public let version: Int
    /// The digest algorithms of the signers.
    public var digestAlgorithms: [CMSAlgorithmIdentifier]
    /// The type of the encapsulated content.
    public let contentType: ASN1ObjectIdentifier
    /// The encapsulated content octets, or `nil` for a detached signature.
    public let content: [UInt8]?
    /// The DER of each `CertificateChoices` element (plain certificates are SEQUENCEs).
    public var certificates: [[UInt8]]
    /// The DER of each `RevocationInfoChoice` element (plain CRLs are SEQUENCEs).
    public var revocationInformation: [[UInt8]]
    /// The signers.
    public var signerInfos: [CMSSignerInfo]

    /// Creates a SignedData from its fields.
    public init(
        digestAlgorithms: [CMSAlgorithmIdentifier],
        contentType: ASN1ObjectIdentifier,
        content: [UInt8]?,
        certificates: [[UInt8]] = [],
        revocationInformation: [[UInt8]] = [],
        signerInfos: [CMSSignerInfo]
    ) {
        self.digestAlgorithms = digestAlgorithms
        self.contentType = contentType
        self.content = content
        self.certificates = certificates
        self.revocationInformation = revocationInformation
        self.signerInfos = signerInfos
        self.version = Self.version(
            certificates: certificates,
            revocationInformation: revocationInformation,
            signerInfoVersions: signerInfos.map(\.version),
            contentType: contentType
        )
    }

    /// Decodes a DER `SignedData` (the SEQUENCE, without its ContentInfo).
    public init(derEncoded: [UInt8]) throws(CMSError) {
        do {
            try self.init(node: try DER.parse(derEncoded))
        } catch let error as CMSError {
            throw error
        } catch {
            throw CMSError(.malformed, "SignedData: \(error)")
        }
    }

    /// Decodes a DER ContentInfo that wraps a SignedData.
    public init(contentInfoDER: [UInt8]) throws(CMSError) {
        let contentInfo = try CMSContentInfo(derEncoded: contentInfoDER)
        guard contentInfo.contentType == .CMS.signedData else {
            throw CMSError(.malformed, "ContentInfo holds \(contentInfo.contentType), not id-signedData")
        }
        try self.init(derEncoded: contentInfo.content)
    }

    private static let certificatesTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let crlsTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    private init(node: ASN1Node) throws {
        var nodes = try DERReader.children(of: node, tag: .sequence)
        let version = try DERReader.smallInteger(try DERReader.next(&nodes, "version"))
        let digestAlgorithms = try DERReader.all(try DERReader.next(&nodes, "digestAlgorithms"), tag: .set)
            .map { try CMSAlgorithmIdentifier(derEncoded: $0) }

        var encapsulated = try DERReader.children(
            of: try DERReader.next(&nodes, "encapContentInfo"),
            tag: .sequence
        )
        let contentType = try ASN1ObjectIdentifier(derEncoded: try DERReader.next(&encapsulated, "eContentType"))
        var content: [UInt8]?
        if let explicit = DERReader.optional(&encapsulated, tag: CMSContentInfo.contentTag) {
            var inner = try DERReader.children(of: explicit, tag: CMSContentInfo.contentTag)
            content = Array(try ASN1OctetString(derEncoded: try DERReader.next(&inner, "eContent")).bytes)
            try DERReader.end(&inner, "eContent")
        }
        try DERReader.end(&encapsulated, "eContent")

        let certificates = try DERReader.optional(&nodes, tag: Self.certificatesTag).map {
            try DERReader.all($0, tag: Self.certificatesTag).map { Array($0.encodedBytes) }
        }
        let crls = try DERReader.optional(&nodes, tag: Self.crlsTag).map {
            try DERReader.all($0, tag: Self.crlsTag).map { Array($0.encodedBytes) }
        }
        let signerInfos = try DERReader.all(try DERReader.next(&nodes, "signerInfos"), tag: .set)
            .map { try CMSSignerInfo(node: $0) }
        try DERReader.end(&nodes, "signerInfos")

        self.version = version
        self.digestAlgorithms = digestAlgorithms
        self.contentType = contentType
        self.content = content
        self.certificates = certificates ?? []
        self.revocationInformation = crls ?? []
        self.signerInfos = signerInfos
    }

    /// The certificates that are plain X.509 certificates, parsed.
    public func parsedCertificates() throws(CMSError) -> [Certificate] {
        do {
            return try certificates.filter { $0.first == DERWriter.Tag.sequence }.map {
                try Certificate(derEncoded: $0)
            }
        } catch {
            throw CMSError(.malformed, "SignedData certificate: \(error)")
        }
    }

    /// The certificate among ``certificates`` that `signerInfo` names, if present.
    public func certificate(of signerInfo: CMSSignerInfo) throws(CMSError) -> Certificate? {
        try parsedCertificates().first { signerInfo.signerIdentifier.matches($0) }
    }

    /// The DER `SignedData` (without ContentInfo), SET OF elements sorted.
    public var derEncoded: [UInt8] {
        layout().signedData()
    }

    /// The DER ContentInfo wrapping this SignedData.
    public var contentInfoDER: [UInt8] {
        layout().contentInfo()
    }

    private func layout() -> CMSSignedDataLayout {
        let version = Self.version(
            certificates: certificates,
            revocationInformation: revocationInformation,
            signerInfoVersions: signerInfos.map(\.version),
            contentType: contentType
        )
        var uniqueDigests: [[UInt8]] = []
        for algorithm in digestAlgorithms.map(\.derEncoded) where !uniqueDigests.contains(algorithm) {
            uniqueDigests.append(algorithm)
        }
        return CMSSignedDataLayout(
            versionDER: DERWriter.integer(version),
            digestAlgorithmsDER: DERWriter.setOf(uniqueDigests),
            contentTypeDER: DERWriter.objectIdentifier(contentType),
            content: content,
            certificatesDER: certificates.isEmpty
                ? [] : DERWriter.setOf(certificates, tag: DERWriter.Tag.contextConstructed(0)),
            revocationInformationDER: revocationInformation.isEmpty
                ? [] : DERWriter.setOf(revocationInformation, tag: DERWriter.Tag.contextConstructed(1)),
            signerInfosDER: DERWriter.setOf(signerInfos.map(\.derEncoded))
        )
    }

    /// The SignedData version rules of RFC 5652 5.1.
    static func version(
        certificates: [[UInt8]],
        revocationInformation: [[UInt8]],
        signerInfoVersions: [Int],
        contentType: ASN1ObjectIdentifier
    ) -> Int {
        let otherCertificate = DERWriter.Tag.contextConstructed(3)
        let otherRevocationInfo = DERWriter.Tag.contextConstructed(1)
        if certificates.contains(where: { $0.first == otherCertificate })
            || revocationInformation.contains(where: { $0.first == otherRevocationInfo })
        {
            return 5
        }
        if certificates.contains(where: { $0.first == DERWriter.Tag.contextConstructed(2) }) { return 4 }
        if certificates.contains(where: { $0.first == DERWriter.Tag.contextConstructed(1) })
            || signerInfoVersions.contains(3) || contentType != .CMS.data
        {
            return 3
        }
        return 1
    }
}
