import SwiftASN1

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One certificate's answer inside a BasicOCSPResponse.
///
/// ```
/// SingleResponse ::= SEQUENCE {
///     certID                       CertID,
///     certStatus                   CertStatus,
///     thisUpdate                   GeneralizedTime,
///     nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///     singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
public struct OCSPSingleResponse: Sendable, Hashable {
    /// The certificate answered about, as the request named it.
    public let certID: OCSPCertID
    /// Its status.
    public let status: CertificateStatus
    /// When the status was known to be correct.
    public let thisUpdate: Date
    /// When newer information will be available; nil if the responder always has newer information.
    public let nextUpdate: Date?

    init(derEncoded node: ASN1Node) throws {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "SingleResponse is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let certIDNode = fields.next(), let statusNode = fields.next(), let thisUpdateNode = fields.next() else {
            throw OCSPError(.invalidEncoding, "SingleResponse too short")
        }
        certID = try OCSPCertID(derEncoded: certIDNode)
        status = try Self.status(statusNode)
        thisUpdate = try OCSPResponseDecoding.generalizedTime(thisUpdateNode)
        var field = fields.next()
        if let explicit = field, explicit.identifier == OCSPRequest.tag0 {
            nextUpdate = try OCSPResponseDecoding.generalizedTime(OCSPResponseDecoding.explicitChild(explicit))
            field = fields.next()
        } else {
            nextUpdate = nil
        }
        if let extensions = field {
            guard extensions.identifier == OCSPRequest.tag1, fields.next() == nil else {
                throw OCSPError(.invalidEncoding, "unexpected field in SingleResponse")
            }
        }
    }

    private static func status(_ node: ASN1Node) throws -> CertificateStatus {
        switch (node.identifier, node.content) {
        case (OCSPRequest.tag0, .primitive(let empty)) where empty.isEmpty:
            return .good
        case (OCSPRequest.tag2, .primitive(let empty)) where empty.isEmpty:
            return .unknown
        case (OCSPRequest.tag1, .constructed(let children)):
            var fields = children.makeIterator()
            guard let timeNode = fields.next() else { throw OCSPError(.invalidEncoding, "RevokedInfo without time") }
            let time = try OCSPResponseDecoding.generalizedTime(timeNode)
            var reason: CRLReason?
            if let reasonNode = fields.next() {
                guard reasonNode.identifier == OCSPRequest.tag0, fields.next() == nil else {
                    throw OCSPError(.invalidEncoding, "unexpected field in RevokedInfo")
                }
                reason = try OCSPResponseDecoding.reason(OCSPResponseDecoding.explicitChild(reasonNode))
            }
            return .revoked(time: time, reason: reason)
        default:
            throw OCSPError(.invalidEncoding, "CertStatus is none of good, revoked, unknown")
        }
    }
}
