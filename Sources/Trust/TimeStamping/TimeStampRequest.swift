public import SwiftASN1

/// A request for a time-stamp (RFC 3161 2.4.1).
///
/// ```asn1
/// TimeStampReq ::= SEQUENCE  {
///     version                      INTEGER  { v1(1) },
///     messageImprint               MessageImprint,
///     reqPolicy             TSAPolicyId              OPTIONAL,
///     nonce                 INTEGER                  OPTIONAL,
///     certReq               BOOLEAN                  DEFAULT FALSE,
///     extensions            [0] IMPLICIT Extensions  OPTIONAL  }
/// MessageImprint ::= SEQUENCE  {
///     hashAlgorithm                AlgorithmIdentifier,
///     hashedMessage                OCTET STRING  }
/// TSAPolicyId ::= OBJECT IDENTIFIER
/// ```
///
/// Decoding checks what an authority must refuse, each with its own ``TimeStampError/Code``: anything that is
/// not DER (`malformedRequest`), a version other than 1, a hash other than SHA-256/384/512 (SHA-1 included),
/// a digest of the wrong length, a nonce over 64 bytes, and any extension (none is supported).
public struct TimeStampRequest: Sendable, Hashable {
    /// The version; always 1 once decoded.
    public let version: Int
    /// The message imprint's hash algorithm.
    public let hashAlgorithm: CMSDigestAlgorithm
    /// The digest of the data to time-stamp.
    public let hashedMessage: [UInt8]
    /// The policy the requester asks for, if any.
    public let policy: ASN1ObjectIdentifier?
    /// The nonce as an unsigned big-endian number (no sign octet), if any; a negative nonce is malformed.
    public let nonce: [UInt8]?
    /// Whether the TSA's certificate should be in the response.
    public let certReq: Bool

    /// The MessageImprint exactly as received, copied into the TSTInfo (RFC 3161: "the same value").
    let messageImprintDER: ArraySlice<UInt8>
    /// The nonce INTEGER exactly as received.
    let nonceDER: ArraySlice<UInt8>?

    /// The longest nonce accepted, in content octets; RFC 3161 expects about 64 bits and clients use up to 160.
    public static let maximumNonceLength = 64

    private static let extensionsTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Decodes and checks a DER TimeStampReq.
    public init(derEncoded bytes: [UInt8]) throws(TimeStampError) {
        let fields: Fields
        do {
            fields = try Self.fields(of: bytes)
        } catch {
            throw TimeStampError(.malformedRequest, "the request is not a DER TimeStampReq: \(error)")
        }
        guard fields.version == 1 else {
            throw TimeStampError(.unsupportedVersion, "request version \(fields.version) is not 1")
        }
        guard let algorithm = CMSDigestAlgorithm(fields.hashAlgorithm) else {
            throw TimeStampError(
                .unsupportedHashAlgorithm,
                "hash algorithm \(fields.hashAlgorithm.algorithm) is not supported; use SHA-256, SHA-384 or SHA-512"
            )
        }
        guard fields.hashedMessage.count == algorithm.digestLength else {
            throw TimeStampError(
                .wrongDigestLength,
                "the hashed message has \(fields.hashedMessage.count) bytes, not \(algorithm.digestLength)"
            )
        }
        if let nonce = fields.nonce, nonce.count > Self.maximumNonceLength {
            throw TimeStampError(.malformedRequest, "the nonce is longer than \(Self.maximumNonceLength) bytes")
        }
        guard !fields.hasExtensions else {
            throw TimeStampError(.unacceptedExtension, "request extensions are not supported")
        }
        self.version = fields.version
        self.hashAlgorithm = algorithm
        self.hashedMessage = Array(fields.hashedMessage)
        self.policy = fields.policy
        self.nonce = fields.nonce.map(Array.init)
        self.certReq = fields.certReq
        self.messageImprintDER = fields.messageImprintDER
        self.nonceDER = fields.nonceDER
    }

    private struct Fields {
        var version: Int
        var hashAlgorithm: CMSAlgorithmIdentifier
        var hashedMessage: ArraySlice<UInt8>
        var messageImprintDER: ArraySlice<UInt8>
        var policy: ASN1ObjectIdentifier?
        var nonce: ArraySlice<UInt8>?
        var nonceDER: ArraySlice<UInt8>?
        var certReq: Bool
        var hasExtensions: Bool
    }

    private static func fields(of bytes: [UInt8]) throws -> Fields {
        let root = try DER.parse(bytes)
        var nodes = try DERReader.children(of: root, tag: .sequence)
        let version = try DERReader.smallInteger(try DERReader.next(&nodes, "version"))

        let imprintNode = try DERReader.next(&nodes, "messageImprint")
        var imprint = try DERReader.children(of: imprintNode, tag: .sequence)
        let hashAlgorithm = try CMSAlgorithmIdentifier(derEncoded: try DERReader.next(&imprint, "hashAlgorithm"))
        let hashedMessage = try DERReader.primitive(try DERReader.next(&imprint, "hashedMessage"), tag: .octetString)
        try DERReader.end(&imprint, "hashedMessage")

        let policy = try DERReader.optional(&nodes, tag: .objectIdentifier).map {
            try ASN1ObjectIdentifier(derEncoded: $0)
        }
        let nonceNode = DERReader.optional(&nodes, tag: .integer)
        let nonce = try nonceNode.map { try DERReader.integer($0) }
        // DER leaves a DEFAULT value out, but an explicit FALSE means the same and some clients send it.
        let certReq = try DERReader.optional(&nodes, tag: .boolean).map { try Bool(derEncoded: $0) } ?? false
        let extensions = DERReader.optional(&nodes, tag: extensionsTag)
        if let extensions { _ = try DERReader.all(extensions, tag: extensionsTag) }
        try DERReader.end(&nodes, "extensions")

        return Fields(
            version: version,
            hashAlgorithm: hashAlgorithm,
            hashedMessage: hashedMessage,
            messageImprintDER: imprintNode.encodedBytes,
            policy: policy,
            nonce: nonce,
            nonceDER: nonceNode?.encodedBytes,
            certReq: certReq,
            hasExtensions: extensions != nil
        )
    }

    /// Encodes a TimeStampReq, for a client.
    ///
    /// - Parameters:
    ///   - digest: The digest of the data to time-stamp.
    ///   - hashAlgorithm: The algorithm of `digest`.
    ///   - nonce: A random number as unsigned big-endian bytes (8 random bytes are plenty), or `nil`.
    ///   - certReq: Whether to ask for the TSA's certificate in the response.
    ///   - policy: The policy to ask for, or `nil` for the TSA's default.
    /// - Returns: The DER request.
    public static func make(
        digest: [UInt8],
        hashAlgorithm: CMSDigestAlgorithm = .sha256,
        nonce: [UInt8]? = nil,
        certReq: Bool = true,
        policy: ASN1ObjectIdentifier? = nil
    ) -> [UInt8] {
        var parts: [[UInt8]] = [
            DERWriter.integer(1),
            DERWriter.tlv(
                DERWriter.Tag.sequence,
                hashAlgorithm.algorithmIdentifier.derEncoded,
                DERWriter.octetString(digest)
            ),
        ]
        if let policy { parts.append(DERWriter.objectIdentifier(policy)) }
        if let nonce { parts.append(DERWriter.unsignedInteger(nonce)) }
        if certReq { parts.append([DERWriter.Tag.boolean, 1, 0xFF]) }
        return DERWriter.tlv(DERWriter.Tag.sequence, parts: parts)
    }

    /// Eight random bytes with the top bit clear, a nonce for ``make(digest:hashAlgorithm:nonce:certReq:policy:)``.
    public static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var value = generator.next() as UInt64
        value &= ~(1 << 63)
        return (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }
}
