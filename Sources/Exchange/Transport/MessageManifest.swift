import Crypto
public import SwiftASN1

/// What an exchange node seals for one message: the query id, whether it is the request or the response, for a
/// response the hash of the request's manifest, and the SHA-256 of every part in order.
///
/// Its DER is what the e-seal signs (a detached CAdES signature), so anyone can check a logged message with
/// openssl: recompute the part digests, re-encode this structure, and `openssl cms -verify -content`.
///
/// ```
/// MessageManifest ::= SEQUENCE {
///     version      INTEGER (1),
///     queryID      UTF8String,            -- X-Road-Id
///     kind         ENUMERATED { request(0), response(1) },
///     client       UTF8String,            -- INSTANCE/CLASS/MEMBER/SUBSYSTEM
///     service      UTF8String,            -- INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/VERSION]
///     requestHash  [0] IMPLICIT OCTET STRING OPTIONAL,  -- SHA-256 of the request manifest's DER (responses)
///     head         [1] IMPLICIT OCTET STRING OPTIONAL,  -- the first part's bytes (a REST head), so that the log
///                                                      -- and the evidence keep what was sealed, readable
///     parts        SEQUENCE OF SEQUENCE { contentType UTF8String, sha256 OCTET STRING }
/// }
/// ```
public struct MessageManifest: Sendable, Hashable {
    /// Which half of the exchange a manifest seals.
    public enum Kind: Int, Sendable, Hashable {
        /// The client's request.
        case request = 0
        /// The provider's response.
        case response = 1
    }

    /// The message's query id (`X-Road-Id`), shared by the request and its response.
    public let queryID: String
    /// Request or response.
    public let kind: Kind
    /// The client subsystem, in its X-Road string form.
    public let client: String
    /// The service, in its X-Road string form.
    public let service: String
    /// For a response: SHA-256 of the request manifest's DER (what `X-Road-Request-Hash` carries).
    public let requestHash: [UInt8]?
    /// The parts in the order they were sent.
    public let parts: [MessagePart]
    /// The first part's bytes, when the manifest carries them (an exchange node's messages always do: the REST
    /// head, ``RESTMessageHead``).
    public let head: [UInt8]?

    /// Creates a manifest; a response must name its request's hash and a request must not.
    public init(
        queryID: String, kind: Kind, client: String, service: String, requestHash: [UInt8]? = nil,
        head: [UInt8]? = nil, parts: [MessagePart]
    ) throws(ExchangeError) {
        guard !queryID.isEmpty, queryID.utf8.count <= 255 else {
            throw ExchangeError(.invalidMessage, "a query id is 1 to 255 bytes long")
        }
        guard (kind == .response) == (requestHash != nil), requestHash.map({ $0.count == 32 }) ?? true else {
            throw ExchangeError(.invalidMessage, "a response, and only a response, names its request's SHA-256")
        }
        guard !parts.isEmpty, parts.allSatisfy({ $0.digest.count == 32 && !$0.contentType.isEmpty }) else {
            throw ExchangeError(.invalidMessage, "a manifest lists at least one part, each with a SHA-256")
        }
        if let head, Array(SHA256.hash(data: head)) != parts[0].digest {
            throw ExchangeError(.invalidMessage, "a manifest's head is the bytes its first part digests")
        }
        self.head = head
        self.queryID = queryID
        self.kind = kind
        self.client = client
        self.service = service
        self.requestHash = requestHash
        self.parts = parts
    }

    /// The DER the seal signs.
    public func derEncoded() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }

    /// SHA-256 of ``derEncoded()``: a response's `requestHash` names its request by this.
    public func hash() throws -> [UInt8] {
        Array(SHA256.hash(data: try derEncoded()))
    }
}

extension MessageManifest: DERImplicitlyTaggable {
    /// SEQUENCE.
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// Decodes a manifest, refusing anything but version 1 and the rules of ``init(queryID:kind:client:service:requestHash:parts:)``.
    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        let fields = try DER.sequence(node, identifier: identifier) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else { throw ExchangeError(.invalidMessage, "manifest version \(version) is unknown") }
            let queryID = try ASN1UTF8String(derEncoded: &nodes)
            let kind = try Int(derEncoded: &nodes, withIdentifier: .enumerated)
            let client = try ASN1UTF8String(derEncoded: &nodes)
            let service = try ASN1UTF8String(derEncoded: &nodes)
            let requestHash: ASN1OctetString? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.requestHashTag)
            let head: ASN1OctetString? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.headTag)
            let parts = try DER.sequence(of: ManifestPart.self, identifier: .sequence, nodes: &nodes)
            guard nodes.next() == nil else {
                throw ExchangeError(.invalidMessage, "a manifest has nothing after its parts")
            }
            return (queryID, kind, client, service, requestHash, head, parts)
        }
        guard let kind = Kind(rawValue: fields.1) else {
            throw ExchangeError(.invalidMessage, "a manifest is for a request or a response")
        }
        try self.init(
            queryID: String(fields.0), kind: kind, client: String(fields.2), service: String(fields.3),
            requestHash: fields.4.map { Array($0.bytes) }, head: fields.5.map { Array($0.bytes) },
            parts: fields.6.map { MessagePart(contentType: $0.contentType, digest: $0.digest) })
    }

    static let requestHashTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    static let headTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    /// Encodes the manifest.
    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1UTF8String(queryID))
            try kind.rawValue.serialize(into: &coder, withIdentifier: .enumerated)
            try coder.serialize(ASN1UTF8String(client))
            try coder.serialize(ASN1UTF8String(service))
            if let requestHash {
                try ASN1OctetString(contentBytes: ArraySlice(requestHash)).serialize(
                    into: &coder, withIdentifier: Self.requestHashTag)
            }
            if let head {
                try ASN1OctetString(contentBytes: ArraySlice(head)).serialize(
                    into: &coder, withIdentifier: Self.headTag)
            }
            try coder.serializeSequenceOf(parts.map { ManifestPart(contentType: $0.contentType, digest: $0.digest) })
        }
    }
}

/// `SEQUENCE { contentType UTF8String, sha256 OCTET STRING }`.
struct ManifestPart: DERImplicitlyTaggable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    let contentType: String
    let digest: [UInt8]

    init(contentType: String, digest: [UInt8]) {
        self.contentType = contentType
        self.digest = digest
    }

    init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        (contentType, digest) = try DER.sequence(node, identifier: identifier) { nodes in
            (
                String(try ASN1UTF8String(derEncoded: &nodes)),
                Array(try ASN1OctetString(derEncoded: &nodes).bytes)
            )
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(ASN1UTF8String(contentType))
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(digest)))
        }
    }
}
