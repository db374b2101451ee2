public import SwiftASN1

/// An algorithm and its parameters, as CMS and RFC 3161 carry them (RFC 5280 4.1.1.2).
///
/// ```asn1
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
public struct CMSAlgorithmIdentifier: Sendable, Hashable {
    /// The algorithm.
    public var algorithm: ASN1ObjectIdentifier
    /// The parameters exactly as encoded, or `nil` when absent.
    public var parameters: ASN1Any?

    /// Creates an identifier.
    public init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    /// Whether the parameters are absent or an ASN.1 NULL, the two forms RFC 5754 allows for SHA-2.
    public var hasAbsentOrNullParameters: Bool {
        guard let parameters else { return true }
        return (try? ASN1Null(asn1Any: parameters)) != nil
    }

    /// The DER encoding.
    public var derEncoded: [UInt8] { DERWriter.serialize(self) }
}

extension CMSAlgorithmIdentifier: DERImplicitlyTaggable {
    /// `SEQUENCE`.
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// Decodes an `AlgorithmIdentifier`.
    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            guard nodes.next() == nil else {
                throw ASN1Error.invalidASN1Object(reason: "AlgorithmIdentifier has more than two fields")
            }
            return CMSAlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    /// Encodes the `AlgorithmIdentifier`.
    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters {
                try coder.serialize(parameters)
            }
        }
    }
}
