import Crypto
public import Foundation
import SwiftASN1

/// A logged message, in the form whose hash goes into the batch hash tree.
///
/// ```asn1
/// MessageLogRecord ::= SEQUENCE {
///     version        INTEGER { v1(1) },
///     messageId      UTF8String,                 -- X-Road-Id
///     client         UTF8String,                 -- X-Road-Client, e.g. CIVITAS/GOV/70000001/population
///     service        UTF8String,                 -- X-Road-Service
///     direction      ENUMERATED { request(0), response(1) },
///     createdAt      INTEGER,                    -- microseconds since 1970-01-01T00:00:00Z
///     signedHeaders  OCTET STRING,
///     bodyDigest     OCTET STRING,               -- SHA-256 of the body
///     bodyLength     INTEGER,
///     signature      OCTET STRING,               -- DER CMS ContentInfo (CAdES), or the node's raw bytes
///     requestHash    [0] IMPLICIT UTF8String OPTIONAL }  -- X-Road-Request-Hash, responses only
/// ```
///
/// The record hash is the RFC 6962 leaf hash of the DER: SHA-256(0x00 || DER).
public struct MessageLogRecord: Sendable, Hashable {
    /// The message id.
    public let messageID: String
    /// The client identifier.
    public let client: String
    /// The service identifier.
    public let service: String
    /// Request or response.
    public let direction: MessageDirection
    /// When the log accepted it, in microseconds since the epoch (UTC).
    public let createdAt: Int64
    /// The signed headers.
    public let signedHeaders: [UInt8]
    /// SHA-256 of the body.
    public let bodyDigest: [UInt8]
    /// The body's length in bytes.
    public let bodyLength: Int64
    /// The signature bytes.
    public let signature: [UInt8]
    /// `X-Road-Request-Hash`, for responses.
    public let requestHash: String?
    /// The DER encoding, exactly as hashed.
    public let derEncoded: [UInt8]

    static let requestHashTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Makes the record for `entry`, accepted at `createdAt`.
    init(entry: MessageLogEntry, createdAt: Int64) throws {
        try self.init(
            messageID: entry.messageID, client: entry.client, service: entry.service, direction: entry.direction,
            createdAt: createdAt, signedHeaders: entry.signedHeaders, bodyDigest: entry.body.digest,
            bodyLength: Int64(entry.body.count), signature: entry.signature, requestHash: entry.requestHash)
    }

    init(
        messageID: String, client: String, service: String, direction: MessageDirection, createdAt: Int64,
        signedHeaders: [UInt8], bodyDigest: [UInt8], bodyLength: Int64, signature: [UInt8], requestHash: String?
    ) throws {
        self.messageID = messageID
        self.client = client
        self.service = service
        self.direction = direction
        self.createdAt = createdAt
        self.signedHeaders = signedHeaders
        self.bodyDigest = bodyDigest
        self.bodyLength = bodyLength
        self.signature = signature
        self.requestHash = requestHash
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1UTF8String(messageID))
            try coder.serialize(ASN1UTF8String(client))
            try coder.serialize(ASN1UTF8String(service))
            try direction.rawValue.serialize(into: &coder, withIdentifier: .enumerated)
            try coder.serialize(createdAt)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(signedHeaders)))
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(bodyDigest)))
            try coder.serialize(bodyLength)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(signature)))
            if let requestHash {
                try ASN1UTF8String(requestHash).serialize(into: &coder, withIdentifier: Self.requestHashTag)
            }
        }
        self.derEncoded = serializer.serializedBytes
    }

    /// Decodes a DER record; anything but exactly this structure, in DER, is refused.
    public init(derEncoded: [UInt8]) throws(ExchangeError) {
        do {
            try self.init(node: try DER.parse(derEncoded))
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw ExchangeError(.malformedEvidence, "a message-log record is not well-formed DER: \(error)")
        }
        guard derEncoded == self.derEncoded else {
            throw ExchangeError(.malformedEvidence, "a message-log record is not in its canonical encoding")
        }
    }

    init(node: ASN1Node) throws {
        let fields = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else {
                throw ExchangeError(.malformedEvidence, "a message-log record has version \(version), not 1")
            }
            let messageID = try ASN1UTF8String(derEncoded: &nodes)
            let client = try ASN1UTF8String(derEncoded: &nodes)
            let service = try ASN1UTF8String(derEncoded: &nodes)
            let directionValue = try Int(derEncoded: &nodes, withIdentifier: .enumerated)
            guard let direction = MessageDirection(rawValue: directionValue) else {
                throw ExchangeError(.malformedEvidence, "a message-log record has direction \(directionValue)")
            }
            let createdAt = try Int64(derEncoded: &nodes)
            let signedHeaders = try ASN1OctetString(derEncoded: &nodes)
            let bodyDigest = try ASN1OctetString(derEncoded: &nodes)
            guard bodyDigest.bytes.count == 32 else {
                throw ExchangeError(.malformedEvidence, "a message-log record's body digest is not 32 bytes")
            }
            let bodyLength = try Int64(derEncoded: &nodes)
            guard bodyLength >= 0 else {
                throw ExchangeError(.malformedEvidence, "a message-log record's body length is negative")
            }
            let signature = try ASN1OctetString(derEncoded: &nodes)
            let requestHash: ASN1UTF8String? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.requestHashTag)
            return (
                String(messageID), String(client), String(service), direction, createdAt,
                Array(signedHeaders.bytes), Array(bodyDigest.bytes), bodyLength, Array(signature.bytes),
                requestHash.map(String.init)
            )
        }
        try self.init(
            messageID: fields.0, client: fields.1, service: fields.2, direction: fields.3, createdAt: fields.4,
            signedHeaders: fields.5, bodyDigest: fields.6, bodyLength: fields.7, signature: fields.8,
            requestHash: fields.9)
    }

    /// The record hash: the RFC 6962 leaf hash, SHA-256(0x00 || DER).
    public var hash: [UInt8] { MerkleTree.leafHash(derEncoded) }

    /// When the log accepted it.
    public var createdDate: Date { Date(timeIntervalSince1970: Double(createdAt) / 1_000_000) }
}
