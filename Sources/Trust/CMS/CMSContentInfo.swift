public import SwiftASN1

/// The outer wrapper of every CMS message (RFC 5652 3).
///
/// ```asn1
/// ContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     content [0] EXPLICIT ANY DEFINED BY contentType }
/// ContentType ::= OBJECT IDENTIFIER
/// ```
public struct CMSContentInfo: Sendable, Hashable {
    /// The content type, e.g. `id-signedData`.
    public var contentType: ASN1ObjectIdentifier
    /// The DER encoding of the content.
    public var content: [UInt8]

    /// Creates a ContentInfo.
    public init(contentType: ASN1ObjectIdentifier, content: [UInt8]) {
        self.contentType = contentType
        self.content = content
    }

    /// Decodes a DER ContentInfo.
    public init(derEncoded: [UInt8]) throws(CMSError) {
        do {
            let root = try DER.parse(derEncoded)
            var nodes = try DERReader.children(of: root, tag: .sequence)
            let contentType = try ASN1ObjectIdentifier(derEncoded: try DERReader.next(&nodes, "contentType"))
            let wrapper = try DERReader.next(&nodes, "content")
            var inner = try DERReader.children(of: wrapper, tag: Self.contentTag)
            let content = try DERReader.next(&inner, "content")
            try DERReader.end(&inner, "content")
            try DERReader.end(&nodes, "content")
            self.init(contentType: contentType, content: Array(content.encodedBytes))
        } catch {
            throw CMSError(.malformed, "ContentInfo: \(error)")
        }
    }

    static let contentTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// The DER encoding.
    public var derEncoded: [UInt8] {
        Self.encode(contentTypeDER: DERWriter.objectIdentifier(contentType), contentDER: content)
    }

    /// A ContentInfo from already encoded parts.
    static func encode(contentTypeDER: [UInt8], contentDER: [UInt8]) -> [UInt8] {
        let explicit = DERWriter.encodedSize(contentLength: contentDER.count)
        let length = contentTypeDER.count + explicit
        var out: [UInt8] = []
        out.reserveCapacity(DERWriter.encodedSize(contentLength: length))
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: length, to: &out)
        out.append(contentsOf: contentTypeDER)
        DERWriter.appendHeader(tag: DERWriter.Tag.contextConstructed(0), length: contentDER.count, to: &out)
        out.append(contentsOf: contentDER)
        return out
    }
}
