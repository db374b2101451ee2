import SwiftASN1

/// A time-stamp authority's answer (RFC 3161 2.4.2), as a client reads it.
///
/// ```asn1
/// TimeStampResp ::= SEQUENCE  {
///     status                  PKIStatusInfo,
///     timeStampToken          TimeStampToken     OPTIONAL  }
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL  }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
public struct TimeStampResponse: Sendable, Hashable {
    /// The status.
    public let status: TimeStampStatus
    /// The free-text status strings, if any.
    public let statusStrings: [String]
    /// Why the request was rejected; empty when the field is absent.
    public let failureInfo: TimeStampFailureInfo
    /// The token, present when granted.
    public let token: TimeStampToken?

    /// The token's TSTInfo, present when granted.
    public var tokenInfo: TimeStampTokenInfo? { token?.info }

    /// Decodes a DER TimeStampResp; a granted one must carry a well-formed token.
    public init(derEncoded bytes: [UInt8]) throws(TimeStampError) {
        do {
            let root = try DER.parse(bytes)
            var nodes = try DERReader.children(of: root, tag: .sequence)
            var statusInfo = try DERReader.children(of: try DERReader.next(&nodes, "status"), tag: .sequence)
            let statusValue = try DERReader.smallInteger(try DERReader.next(&statusInfo, "status"))
            guard let status = TimeStampStatus(rawValue: statusValue) else {
                throw ASN1Error.invalidASN1Object(reason: "unknown PKIStatus \(statusValue)")
            }
            var strings: [String] = []
            if let text = DERReader.optional(&statusInfo, tag: .sequence) {
                for node in try DERReader.all(text, tag: .sequence) {
                    strings.append(String(decoding: try ASN1UTF8String(derEncoded: node).bytes, as: UTF8.self))
                }
            }
            var failureInfo = TimeStampFailureInfo()
            if let bits = DERReader.optional(&statusInfo, tag: .bitString) {
                failureInfo = TimeStampFailureInfo(bitString: try ASN1BitString(derEncoded: bits).bytes)
            }
            try DERReader.end(&statusInfo, "failInfo")
            let tokenNode = DERReader.optional(&nodes, tag: .sequence)
            try DERReader.end(&nodes, "timeStampToken")

            self.status = status
            self.statusStrings = strings
            self.failureInfo = failureInfo
            self.token = try tokenNode.map { try TimeStampToken(derEncoded: Array($0.encodedBytes)) }
        } catch let error as TimeStampError {
            throw error
        } catch {
            throw TimeStampError(.malformedResponse, "the response is not a DER TimeStampResp: \(error)")
        }
        if status.isGranted, token == nil {
            throw TimeStampError(.malformedResponse, "a granted response has no token")
        }
    }

    /// `PKIStatusInfo { granted }`, encoded.
    static let grantedStatusDER: [UInt8] = DERWriter.tlv(DERWriter.Tag.sequence, DERWriter.integer(0))

    /// A DER rejection: `TimeStampResp { PKIStatusInfo { rejection, text, failInfo } }`.
    static func rejectionDER(_ failure: TimeStampFailureInfo, text: String) -> [UInt8] {
        var statusParts: [[UInt8]] = [
            DERWriter.integer(TimeStampStatus.rejection.rawValue),
            DERWriter.tlv(DERWriter.Tag.sequence, DERWriter.tlv(DERWriter.Tag.utf8String, content: Array(text.utf8))),
        ]
        if let bits = failure.derEncoded { statusParts.append(bits) }
        return DERWriter.tlv(DERWriter.Tag.sequence, DERWriter.tlv(DERWriter.Tag.sequence, parts: statusParts))
    }
}
