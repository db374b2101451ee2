/// The encoded parts of a SignedData, written out in one pass into one buffer.
///
/// Signing a time-stamp produces a few kilobytes nested five deep (TimeStampResp, ContentInfo, SignedData,
/// EncapsulatedContentInfo, eContent); computing every length first and then appending each part once avoids
/// copying the inner layers again for each outer one.
struct CMSSignedDataLayout {
    /// `version CMSVersion` as a DER INTEGER.
    var versionDER: [UInt8]
    /// The digest algorithms SET, sorted.
    var digestAlgorithmsDER: [UInt8]
    /// `eContentType` as a DER OBJECT IDENTIFIER.
    var contentTypeDER: [UInt8]
    /// The eContent octets, `nil` when detached.
    var content: [UInt8]?
    /// `[0] IMPLICIT CertificateSet`, or empty when absent.
    var certificatesDER: [UInt8]
    /// `[1] IMPLICIT RevocationInfoChoices`, or empty when absent.
    var revocationInformationDER: [UInt8]
    /// The SignerInfos SET, sorted.
    var signerInfosDER: [UInt8]

    static let signedDataTypeDER = DERWriter.objectIdentifier(.CMS.signedData)

    private var octetStringLength: Int { content?.count ?? 0 }
    private var explicitContentLength: Int { DERWriter.encodedSize(contentLength: octetStringLength) }

    private var encapsulatedLength: Int {
        contentTypeDER.count + (content == nil ? 0 : DERWriter.encodedSize(contentLength: explicitContentLength))
    }

    private var signedDataLength: Int {
        versionDER.count + digestAlgorithmsDER.count + DERWriter.encodedSize(contentLength: encapsulatedLength)
            + certificatesDER.count + revocationInformationDER.count + signerInfosDER.count
    }

    private var contentInfoLength: Int {
        Self.signedDataTypeDER.count
            + DERWriter.encodedSize(contentLength: DERWriter.encodedSize(contentLength: signedDataLength))
    }

    /// The DER SignedData.
    func signedData() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(DERWriter.encodedSize(contentLength: signedDataLength))
        appendSignedData(to: &out)
        return out
    }

    /// The DER ContentInfo wrapping the SignedData.
    func contentInfo() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(DERWriter.encodedSize(contentLength: contentInfoLength))
        appendContentInfo(to: &out)
        return out
    }

    /// `SEQUENCE { prefix, ContentInfo }`, the shape of a granted TimeStampResp.
    func contentInfo(inSequenceAfter prefix: [UInt8]) -> [UInt8] {
        let length = prefix.count + DERWriter.encodedSize(contentLength: contentInfoLength)
        var out: [UInt8] = []
        out.reserveCapacity(DERWriter.encodedSize(contentLength: length))
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: length, to: &out)
        out.append(contentsOf: prefix)
        appendContentInfo(to: &out)
        return out
    }

    private func appendContentInfo(to out: inout [UInt8]) {
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: contentInfoLength, to: &out)
        out.append(contentsOf: Self.signedDataTypeDER)
        DERWriter.appendHeader(
            tag: DERWriter.Tag.contextConstructed(0),
            length: DERWriter.encodedSize(contentLength: signedDataLength),
            to: &out
        )
        appendSignedData(to: &out)
    }

    private func appendSignedData(to out: inout [UInt8]) {
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: signedDataLength, to: &out)
        out.append(contentsOf: versionDER)
        out.append(contentsOf: digestAlgorithmsDER)
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: encapsulatedLength, to: &out)
        out.append(contentsOf: contentTypeDER)
        if let content {
            DERWriter.appendHeader(tag: DERWriter.Tag.contextConstructed(0), length: explicitContentLength, to: &out)
            DERWriter.appendHeader(tag: DERWriter.Tag.octetString, length: content.count, to: &out)
            out.append(contentsOf: content)
        }
        out.append(contentsOf: certificatesDER)
        out.append(contentsOf: revocationInformationDER)
        out.append(contentsOf: signerInfosDER)
    }
}
