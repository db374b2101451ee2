public import SwiftASN1

/// A signed or unsigned attribute of a CMS SignerInfo (RFC 5652 5.3).
///
/// ```asn1
/// Attribute ::= SEQUENCE {
///     attrType OBJECT IDENTIFIER,
///     attrValues SET OF AttributeValue }
/// AttributeValue ::= ANY
/// ```
///
/// The values are written sorted by their encodings, as DER requires for a SET OF.
public struct CMSAttribute: Sendable, Hashable {
    /// The attribute's type.
    public var type: ASN1ObjectIdentifier
    /// The attribute's values, each exactly as encoded.
    public var values: [ASN1Any]

    /// Creates an attribute.
    public init(type: ASN1ObjectIdentifier, values: [ASN1Any]) {
        self.type = type
        self.values = values
    }

    /// Creates an attribute with one value.
    public init(type: ASN1ObjectIdentifier, value: some DERSerializable) throws {
        self.init(type: type, values: [try ASN1Any(erasing: value)])
    }

    /// Creates an attribute with one value given as its DER encoding.
    public init(type: ASN1ObjectIdentifier, valueDER: [UInt8]) throws(CMSError) {
        do {
            self.init(type: type, values: [ASN1Any(derEncoded: try DER.parse(valueDER))])
        } catch {
            throw CMSError(.malformed, "attribute value is not DER: \(error)")
        }
    }

    /// The DER encoding.
    public var derEncoded: [UInt8] { DERWriter.serialize(self) }

    /// The DER encoding of each value, in the order stored.
    public var valueEncodings: [[UInt8]] { values.map { DERWriter.serialize($0) } }
}

extension CMSAttribute: DERImplicitlyTaggable {
    /// `SEQUENCE`.
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// Decodes an `Attribute`.
    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        var nodes = try DERReader.children(of: rootNode, tag: identifier)
        let type = try ASN1ObjectIdentifier(derEncoded: try DERReader.next(&nodes, "attrType"))
        let values = try DERReader.all(try DERReader.next(&nodes, "attrValues"), tag: .set)
        try DERReader.end(&nodes, "attrValues")
        self.init(type: type, values: values.map { ASN1Any(derEncoded: $0) })
    }

    /// Encodes the `Attribute`, its values sorted.
    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(type)
            try coder.serializeSetOf(values)
        }
    }
}
