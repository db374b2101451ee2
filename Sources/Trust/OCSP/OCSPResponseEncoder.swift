import SwiftASN1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes the DER of OCSP responses (RFC 6960 §4.2.1).
///
/// ```
/// OCSPResponse ::= SEQUENCE {
///     responseStatus         OCSPResponseStatus,
///     responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ResponseBytes ::= SEQUENCE {
///     responseType   OBJECT IDENTIFIER,   -- id-pkix-ocsp-basic
///     response       OCTET STRING }       -- DER of BasicOCSPResponse
/// BasicOCSPResponse ::= SEQUENCE {
///     tbsResponseData      ResponseData,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signature            BIT STRING,
///     certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ResponseData ::= SEQUENCE {
///     version              [0] EXPLICIT Version DEFAULT v1,
///     responderID              ResponderID,
///     producedAt               GeneralizedTime,
///     responses                SEQUENCE OF SingleResponse,
///     responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ResponderID ::= CHOICE {
///     byName   [1] Name,
///     byKey    [2] KeyHash }                -- EXPLICIT, as the module's default
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
/// SingleResponse ::= SEQUENCE {
///     certID                       CertID,
///     certStatus                   CertStatus,
///     thisUpdate                   GeneralizedTime,
///     nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///     singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
enum OCSPResponseEncoder {
    /// One answer to write: the CertID exactly as asked, and its status.
    struct Single {
        let certID: ArraySlice<UInt8>
        let status: CertificateStatus
    }

    /// `SEQUENCE { ENUMERATED status }`: an answer without responseBytes.
    static func unsuccessful(_ status: OCSPResponseStatus) -> [UInt8] {
        [0x30, 0x03, 0x0A, 0x01, status.rawValue]
    }

    /// The DER of a ResponseData (version v1, omitted as DER requires).
    static func responseData(
        responderKeyHash: [UInt8],
        producedAt: Date,
        thisUpdate: Date,
        nextUpdate: Date,
        singles: [Single],
        nonce: ArraySlice<UInt8>?
    ) throws -> [UInt8] {
        var serializer = DER.Serializer()
        var timesFit = true
        try serializer.appendConstructedNode(identifier: .sequence) { data in
            try data.appendConstructedNode(identifier: OCSPRequest.tag2) { byKey in
                try byKey.serialize(ASN1OctetString(contentBytes: responderKeyHash[...]))
            }
            timesFit = OCSPTime.appendGeneralizedTime(producedAt, to: &data) && timesFit
            data.appendConstructedNode(identifier: .sequence) { responses in
                for single in singles {
                    responses.appendConstructedNode(identifier: .sequence) { response in
                        response.serializeRawBytes(single.certID)
                        timesFit = appendStatus(single.status, to: &response) && timesFit
                        timesFit = OCSPTime.appendGeneralizedTime(thisUpdate, to: &response) && timesFit
                        response.appendConstructedNode(identifier: OCSPRequest.tag0) { explicit in
                            timesFit = OCSPTime.appendGeneralizedTime(nextUpdate, to: &explicit) && timesFit
                        }
                    }
                }
            }
            if let nonce {
                try data.appendConstructedNode(identifier: OCSPRequest.tag1) { explicit in
                    try explicit.appendConstructedNode(identifier: .sequence) { extensions in
                        try extensions.appendConstructedNode(identifier: .sequence) { nonceExtension in
                            try nonceExtension.serialize(OCSPObjectIdentifiers.nonce)
                            try nonceExtension.serialize(ASN1OctetString(contentBytes: nonce))
                        }
                    }
                }
            }
        }
        guard timesFit else { throw OCSPError(.invalidTime, "a response time is outside the years 1 to 9999") }
        return serializer.serializedBytes
    }

    /// The DER of a successful OCSPResponse around a signed ResponseData.
    ///
    /// Lengths are computed from the inside out and the bytes written once: nesting `DER.Serializer` nodes would
    /// move each long body to widen its length field, four levels deep, on every freshly signed answer.
    ///
    /// - Parameter certificates: the DER of the `[0] EXPLICIT SEQUENCE OF Certificate` field, or empty.
    static func successful(
        responseData: [UInt8],
        signatureAlgorithm: [UInt8],
        signature: [UInt8],
        certificates: [UInt8]
    ) -> [UInt8] {
        let bitString = 1 + signature.count  // the unused-bits octet, then the value
        let basic = responseData.count + signatureAlgorithm.count + tlvLength(bitString) + certificates.count
        let responseBytes = basicResponseType.count + tlvLength(tlvLength(basic))
        let outer = 3 + tlvLength(tlvLength(responseBytes))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tlvLength(outer))
        appendHeader(0x30, length: outer, to: &bytes)
        bytes.append(contentsOf: [0x0A, 0x01, OCSPResponseStatus.successful.rawValue])
        appendHeader(0xA0, length: tlvLength(responseBytes), to: &bytes)
        appendHeader(0x30, length: responseBytes, to: &bytes)
        bytes.append(contentsOf: basicResponseType)
        appendHeader(0x04, length: tlvLength(basic), to: &bytes)
        appendHeader(0x30, length: basic, to: &bytes)
        bytes.append(contentsOf: responseData)
        bytes.append(contentsOf: signatureAlgorithm)
        appendHeader(0x03, length: bitString, to: &bytes)
        bytes.append(0)
        bytes.append(contentsOf: signature)
        bytes.append(contentsOf: certificates)
        return bytes
    }

    /// The DER of `id-pkix-ocsp-basic`, 1.3.6.1.5.5.7.48.1.1.
    private static let basicResponseType: [UInt8] = [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]

    /// The size of a TLV whose value has `length` octets (X.690 §8.1.3 definite form, one-octet tags).
    private static func tlvLength(_ length: Int) -> Int {
        1 + lengthOctets(length) + length
    }

    private static func lengthOctets(_ length: Int) -> Int {
        guard length >= 128 else { return 1 }
        return 1 + (Int.bitWidth - length.leadingZeroBitCount + 7) / 8
    }

    private static func appendHeader(_ tag: UInt8, length: Int, to bytes: inout [UInt8]) {
        bytes.append(tag)
        guard length >= 128 else {
            bytes.append(UInt8(length))
            return
        }
        let count = lengthOctets(length) - 1
        bytes.append(0x80 | UInt8(count))
        for index in stride(from: count - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: length >> (index * 8)))
        }
    }

    /// `[0] EXPLICIT SEQUENCE OF Certificate` holding the given certificate DERs.
    static func certificatesField(_ certificates: [[UInt8]]) -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.appendConstructedNode(identifier: OCSPRequest.tag0) { explicit in
            explicit.appendConstructedNode(identifier: .sequence) { list in
                for certificate in certificates { list.serializeRawBytes(certificate) }
            }
        }
        return serializer.serializedBytes
    }

    /// `good [0] IMPLICIT NULL`, `revoked [1] IMPLICIT RevokedInfo` or `unknown [2] IMPLICIT NULL`.
    private static func appendStatus(_ status: CertificateStatus, to serializer: inout DER.Serializer) -> Bool {
        switch status {
        case .good:
            serializer.appendPrimitiveNode(identifier: OCSPRequest.tag0) { _ in }
            return true
        case .unknown:
            serializer.appendPrimitiveNode(identifier: OCSPRequest.tag2) { _ in }
            return true
        case .revoked(let time, let reason):
            var fits = true
            serializer.appendConstructedNode(identifier: OCSPRequest.tag1) { info in
                fits = OCSPTime.appendGeneralizedTime(time, to: &info)
                if let reason {
                    info.appendConstructedNode(identifier: OCSPRequest.tag0) { explicit in
                        explicit.appendPrimitiveNode(identifier: .enumerated) { $0.append(reason.rawValue) }
                    }
                }
            }
            return fits
        }
    }
}
