import SwiftASN1

/// Small helpers over swift-asn1's node tree for decoders that keep the exact bytes of what they read.
///
/// `DER.parse` already enforces DER's definite, minimal lengths and rejects trailing bytes; these helpers add
/// the field-by-field checks (tag, presence, no unconsumed fields) that every decoder here needs.
enum DERReader {
    /// The children of a constructed node with the expected tag.
    static func children(of node: ASN1Node, tag: ASN1Identifier) throws -> ASN1NodeCollection.Iterator {
        guard node.identifier == tag, case .constructed(let nodes) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        return nodes.makeIterator()
    }

    /// The next field, which must be present.
    static func next(_ nodes: inout ASN1NodeCollection.Iterator, _ what: String) throws -> ASN1Node {
        guard let node = nodes.next() else {
            throw ASN1Error.invalidASN1Object(reason: "missing \(what)")
        }
        return node
    }

    /// The next field if it has `tag`, consuming it; `nil` (consuming nothing) otherwise.
    static func optional(_ nodes: inout ASN1NodeCollection.Iterator, tag: ASN1Identifier) -> ASN1Node? {
        var copy = nodes
        guard let node = copy.next(), node.identifier == tag else { return nil }
        nodes = copy
        return node
    }

    /// Throws if any field is left.
    static func end(_ nodes: inout ASN1NodeCollection.Iterator, _ what: String) throws {
        guard nodes.next() == nil else {
            throw ASN1Error.invalidASN1Object(reason: "unexpected field after \(what)")
        }
    }

    /// The content octets of a primitive node with the expected tag.
    static func primitive(_ node: ASN1Node, tag: ASN1Identifier) throws -> ArraySlice<UInt8> {
        guard node.identifier == tag, case .primitive(let bytes) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        return bytes
    }

    /// The content octets of a DER INTEGER, checked for minimal encoding.
    static func integer(_ node: ASN1Node, tag: ASN1Identifier = .integer) throws -> ArraySlice<UInt8> {
        try ArraySlice<UInt8>(derEncoded: node, withIdentifier: tag)
    }

    /// A small non-negative INTEGER.
    static func smallInteger(_ node: ASN1Node, tag: ASN1Identifier = .integer) throws -> Int {
        try Int(derEncoded: node, withIdentifier: tag)
    }

    /// Every child of a constructed node.
    static func all(_ node: ASN1Node, tag: ASN1Identifier) throws -> [ASN1Node] {
        var nodes = try children(of: node, tag: tag)
        var result: [ASN1Node] = []
        while let child = nodes.next() { result.append(child) }
        return result
    }
}
