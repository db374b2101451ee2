import SwiftASN1

/// An OCSP response as a client reads it (RFC 6960 §4.2.1).
///
/// ```
/// OCSPResponse ::= SEQUENCE {
///     responseStatus         OCSPResponseStatus,
///     responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ResponseBytes ::= SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// id-pkix-ocsp-basic OBJECT IDENTIFIER ::= { id-pkix-ocsp 1 }
/// ```
public struct OCSPResponse: Sendable, Hashable {
    /// The response status.
    public let status: OCSPResponseStatus
    /// The basic response; present exactly when the status is `successful`.
    public let basicResponse: OCSPBasicResponse?

    /// Reads a DER OCSPResponse; a successful one must carry an id-pkix-ocsp-basic response.
    public init(derEncoded: [UInt8]) throws {
        let root: ASN1Node
        do {
            root = try DER.parse(derEncoded)
        } catch {
            throw OCSPError(.invalidEncoding, "not DER: \(error)")
        }
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw OCSPError(.invalidEncoding, "OCSPResponse is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let statusNode = fields.next(), statusNode.identifier == .enumerated,
            case .primitive(let value) = statusNode.content, value.count == 1,
            let status = OCSPResponseStatus(rawValue: value[value.startIndex])
        else {
            throw OCSPError(.invalidEncoding, "bad responseStatus")
        }
        self.status = status
        guard let bytesNode = fields.next() else {
            guard status != .successful else { throw OCSPError(.invalidEncoding, "successful without responseBytes") }
            basicResponse = nil
            return
        }
        guard status == .successful, bytesNode.identifier == OCSPRequest.tag0, fields.next() == nil else {
            throw OCSPError(.invalidEncoding, "unexpected field in OCSPResponse")
        }
        let responseBytes = try OCSPResponseDecoding.explicitChild(bytesNode)
        guard responseBytes.identifier == .sequence, case .constructed(let items) = responseBytes.content else {
            throw OCSPError(.invalidEncoding, "ResponseBytes is not a SEQUENCE")
        }
        var parts = items.makeIterator()
        guard let type = parts.next(), let response = parts.next(), parts.next() == nil,
            (try? ASN1ObjectIdentifier(derEncoded: type)) == OCSPObjectIdentifiers.basicResponse
        else {
            throw OCSPError(.invalidEncoding, "responseType is not id-pkix-ocsp-basic")
        }
        basicResponse = try OCSPBasicResponse(derEncoded: OCSPResponseDecoding.octetString(response))
    }
}
