import SwiftASN1

extension OCSPBasicResponse {
    /// How a response names its signer.
    ///
    /// ```
    /// ResponderID ::= CHOICE {
    ///     byName   [1] Name,
    ///     byKey    [2] KeyHash }
    /// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
    ///                          -- (excluding the tag and length fields)
    /// ```
    public enum ResponderID: Sendable, Hashable {
        /// The DER of the responder certificate's subject Name.
        case byName(ArraySlice<UInt8>)
        /// The SHA-1 hash of the responder's subjectPublicKey value.
        case byKey(ArraySlice<UInt8>)

        init(derEncoded node: ASN1Node) throws {
            switch node.identifier {
            case OCSPRequest.tag1:
                self = .byName(try OCSPResponseDecoding.explicitChild(node).encodedBytes)
            case OCSPRequest.tag2:
                self = .byKey(try OCSPResponseDecoding.octetString(OCSPResponseDecoding.explicitChild(node)))
            default:
                throw OCSPError(.invalidEncoding, "ResponderID is neither byName nor byKey")
            }
        }
    }
}
