import SwiftASN1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Small strict readers shared by the OCSP response decoders, each turning ASN.1 errors into `OCSPError`s.
enum OCSPResponseDecoding {
    /// The single child of an `[n] EXPLICIT` node.
    static func explicitChild(_ node: ASN1Node) throws -> ASN1Node {
        guard case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "explicit tag is not constructed")
        }
        var iterator = children.makeIterator()
        guard let child = iterator.next(), iterator.next() == nil else {
            throw OCSPError(.invalidEncoding, "explicit tag must hold one element")
        }
        return child
    }

    static func generalizedTime(_ node: ASN1Node) throws -> Date {
        do {
            return try OCSPTime.generalizedTime(from: node)
        } catch {
            throw OCSPError(.invalidEncoding, "bad GeneralizedTime: \(error)")
        }
    }

    /// `CRLReason ::= ENUMERATED`.
    static func reason(_ node: ASN1Node) throws -> CRLReason {
        guard node.identifier == .enumerated, case .primitive(let value) = node.content, value.count == 1,
            let reason = CRLReason(rawValue: value[value.startIndex])
        else {
            throw OCSPError(.invalidEncoding, "bad CRLReason")
        }
        return reason
    }

    static func octetString(_ node: ASN1Node) throws -> ArraySlice<UInt8> {
        guard node.identifier == .octetString, case .primitive(let content) = node.content else {
            throw OCSPError(.invalidEncoding, "expected an OCTET STRING")
        }
        return content
    }
}
