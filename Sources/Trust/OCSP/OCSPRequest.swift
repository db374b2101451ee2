import SwiftASN1
public import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An OCSP request (RFC 6960 §4.1), read strictly from DER or built for the client side.
///
/// ```
/// OCSPRequest ::= SEQUENCE {
///     tbsRequest                  TBSRequest,
///     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
/// TBSRequest ::= SEQUENCE {
///     version             [0]     EXPLICIT Version DEFAULT v1,
///     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
///     requestList                 SEQUENCE OF Request,
///     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
/// Extension ::= SEQUENCE {
///     extnID      OBJECT IDENTIFIER,
///     critical    BOOLEAN DEFAULT FALSE,
///     extnValue   OCTET STRING }
/// id-pkix-ocsp-nonce ::= { id-pkix-ocsp 2 }   -- 1.3.6.1.5.5.7.48.1.2
/// Nonce ::= OCTET STRING                      -- RFC 8954
/// ```
/// The requestor name, single-request extensions and signature are accepted and ignored: this responder answers
/// anyone, as public OCSP responders do.
public struct OCSPRequest: Sendable, Hashable {
    /// How many CertIDs a request may carry unless the caller says otherwise.
    public static let defaultMaximumCertIDs = 64
    /// The longest nonce accepted, in octets (RFC 8954 §2.1 lets responders reject longer ones).
    static let maximumNonceLength = 128

    /// The certificates asked about, in request order.
    public let certIDs: [OCSPCertID]
    /// The nonce extension's extnValue contents exactly as sent (for openssl, an OCTET STRING holding the nonce),
    /// or nil when the request has no nonce. A response echoes these bytes.
    public let nonce: ArraySlice<UInt8>?
    /// Whether the request carried the optional signature (which is not verified).
    public let isSigned: Bool
    /// The request's DER.
    public let derEncoded: [UInt8]

    /// Reads a DER request; throws an `OCSPError` for anything malformed, trailing bytes included, or for more
    /// than `maximumCertIDs` CertIDs.
    public init(derEncoded: [UInt8], maximumCertIDs: Int = OCSPRequest.defaultMaximumCertIDs) throws {
        let root: ASN1Node
        do {
            root = try DER.parse(derEncoded)
        } catch {
            throw OCSPError(.invalidEncoding, "not DER: \(error)")
        }
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw OCSPError(.invalidEncoding, "OCSPRequest is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let tbsRequest = fields.next() else { throw OCSPError(.invalidEncoding, "no TBSRequest") }
        if let signature = fields.next() {
            guard signature.identifier == Self.tag0, case .constructed = signature.content, fields.next() == nil else {
                throw OCSPError(.invalidEncoding, "unexpected field after TBSRequest")
            }
            isSigned = true
        } else {
            isSigned = false
        }
        (certIDs, nonce) = try Self.parseTBSRequest(tbsRequest, maximumCertIDs: maximumCertIDs)
        self.derEncoded = derEncoded
    }

    /// Builds a request for `certIDs`, with `nonce` (the raw nonce octets, which are wrapped in an OCTET STRING as
    /// RFC 8954 defines) unless it is nil.
    public init(certIDs: [OCSPCertID], nonce: [UInt8]?) throws {
        guard !certIDs.isEmpty else { throw OCSPError(.invalidEncoding, "a request needs at least one CertID") }
        if let nonce, !(1...Self.maximumNonceLength).contains(nonce.count) {
            throw OCSPError(.invalidEncoding, "a nonce has 1 to \(Self.maximumNonceLength) octets")
        }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { request in
            try request.appendConstructedNode(identifier: .sequence) { tbs in
                tbs.appendConstructedNode(identifier: .sequence) { list in
                    for certID in certIDs {
                        list.appendConstructedNode(identifier: .sequence) { $0.serializeRawBytes(certID.derEncoded) }
                    }
                }
                if let nonce {
                    try tbs.appendConstructedNode(identifier: Self.tag2) { explicit in
                        try explicit.appendConstructedNode(identifier: .sequence) { extensions in
                            try extensions.appendConstructedNode(identifier: .sequence) { nonceExtension in
                                try nonceExtension.serialize(OCSPObjectIdentifiers.nonce)
                                var inner = DER.Serializer()
                                try inner.serialize(ASN1OctetString(contentBytes: nonce[...]))
                                try nonceExtension.serialize(ASN1OctetString(contentBytes: inner.serializedBytes[...]))
                            }
                        }
                    }
                }
            }
        }
        try self.init(derEncoded: serializer.serializedBytes, maximumCertIDs: .max)
    }

    /// The DER of a request for one certificate, as a client sends it.
    ///
    /// - Parameters:
    ///   - certificate: The certificate asked about.
    ///   - issuer: The CA certificate that issued it.
    ///   - hashAlgorithm: How the CertID names the issuer.
    ///   - nonce: The raw nonce; nil sends none (so that the answer can come from a responder's cache).
    public static func make(
        certificate: Certificate,
        issuer: Certificate,
        hashAlgorithm: OCSPHashAlgorithm = .sha256,
        nonce: [UInt8]? = OCSPRequest.randomNonce()
    ) throws -> [UInt8] {
        let certID = try OCSPCertID(hashAlgorithm: hashAlgorithm, certificate: certificate, issuer: issuer)
        return try OCSPRequest(certIDs: [certID], nonce: nonce).derEncoded
    }

    /// 16 random octets, the nonce length RFC 8954 asks responders to accept at least.
    public static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The request DER carried by an HTTP GET (RFC 6960 Appendix A.1): the path after the responder's prefix, which
    /// is the URL-encoding of the request's base64. Accepts the base64url alphabet and missing padding too; nil when
    /// the text does not decode.
    public static func derBytes(fromGETPath path: some StringProtocol) -> [UInt8]? {
        var base64: [UInt8] = []
        base64.reserveCapacity(path.utf8.count)
        var bytes = path.utf8.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else {
                    return nil
                }
                base64.append(high << 4 | low)
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            default: base64.append(byte)
            }
        }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(base64)) else { return nil }
        return Array(data)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static let tag0 = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    static let tag1 = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    static let tag2 = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)

    private static func parseTBSRequest(
        _ node: ASN1Node,
        maximumCertIDs: Int
    ) throws -> (certIDs: [OCSPCertID], nonce: ArraySlice<UInt8>?) {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "TBSRequest is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        var field = fields.next()
        if let version = field, version.identifier == tag0 {
            try checkVersion(version)
            field = fields.next()
        }
        if let requestor = field, requestor.identifier == tag1 {
            guard case .constructed = requestor.content else {
                throw OCSPError(.invalidEncoding, "requestorName is not an explicit tag")
            }
            field = fields.next()
        }
        guard let requestList = field, requestList.identifier == .sequence,
            case .constructed(let requests) = requestList.content
        else {
            throw OCSPError(.invalidEncoding, "no requestList")
        }
        var certIDs: [OCSPCertID] = []
        for request in requests {
            guard certIDs.count < maximumCertIDs else {
                throw OCSPError(.tooManyCertificates, "more than \(maximumCertIDs) CertIDs")
            }
            certIDs.append(try parseRequest(request))
        }
        guard !certIDs.isEmpty else { throw OCSPError(.invalidEncoding, "empty requestList") }
        var nonce: ArraySlice<UInt8>?
        if let extensions = fields.next() {
            guard extensions.identifier == tag2, fields.next() == nil else {
                throw OCSPError(.invalidEncoding, "unexpected field in TBSRequest")
            }
            nonce = try parseRequestExtensions(extensions)
        }
        return (certIDs, nonce)
    }

    /// `version [0] EXPLICIT Version DEFAULT v1`: DER omits it, but an explicit v1 is tolerated.
    private static func checkVersion(_ node: ASN1Node) throws {
        guard case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "version is not an explicit tag")
        }
        var inner = children.makeIterator()
        guard let integer = inner.next(), inner.next() == nil else {
            throw OCSPError(.invalidEncoding, "version tag must hold one INTEGER")
        }
        guard try OCSPCertID.integer(integer).elementsEqual([0]) else {
            throw OCSPError(.unsupportedVersion, "only v1 requests are supported")
        }
    }

    private static func parseRequest(_ node: ASN1Node) throws -> OCSPCertID {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "Request is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let reqCert = fields.next() else { throw OCSPError(.invalidEncoding, "Request without reqCert") }
        let certID = try OCSPCertID(derEncoded: reqCert)
        if let extensions = fields.next() {
            guard extensions.identifier == tag0, case .constructed = extensions.content, fields.next() == nil else {
                throw OCSPError(.invalidEncoding, "unexpected field in Request")
            }
        }
        return certID
    }

    /// Reads `[2] EXPLICIT Extensions`, returning the nonce's extnValue contents; unknown non-critical extensions
    /// are skipped, unknown critical ones refused.
    private static func parseRequestExtensions(_ node: ASN1Node) throws -> ArraySlice<UInt8>? {
        guard case .constructed(let wrapper) = node.content else {
            throw OCSPError(.invalidEncoding, "requestExtensions is not an explicit tag")
        }
        var wrapped = wrapper.makeIterator()
        guard let list = wrapped.next(), wrapped.next() == nil, list.identifier == .sequence,
            case .constructed(let extensions) = list.content
        else {
            throw OCSPError(.invalidEncoding, "requestExtensions must hold one SEQUENCE OF Extension")
        }
        var nonce: ArraySlice<UInt8>?
        var count = 0
        for element in extensions {
            count += 1
            let parsed = try OCSPExtension(derEncoded: element)
            if parsed.isNonce {
                guard nonce == nil else { throw OCSPError(.invalidEncoding, "two nonce extensions") }
                guard parsed.value.count <= maximumNonceLength + 2 else {
                    throw OCSPError(.invalidEncoding, "nonce longer than \(maximumNonceLength) octets")
                }
                nonce = parsed.value
            } else if parsed.isCritical {
                throw OCSPError(.unsupportedCriticalExtension, "unknown critical request extension")
            }
        }
        guard count > 0 else { throw OCSPError(.invalidEncoding, "empty requestExtensions") }
        return nonce
    }
}
