import SwiftASN1

/// Offline-verifiable evidence of logged messages: the records, the batch time-stamps over their hash trees, and
/// each record's path to its tree head. One message's evidence (its request and response) and a whole archive
/// file have this same form.
///
/// ```asn1
/// MessageLogEvidence ::= SEQUENCE {
///     version  INTEGER { v1(1) },
///     batches  SEQUENCE SIZE (1..MAX) OF TimeStampedBatch,
///     items    SEQUENCE SIZE (1..MAX) OF EvidenceItem }
///
/// TimeStampedBatch ::= SEQUENCE {
///     treeSize        INTEGER,       -- leaves in the batch's RFC 6962 hash tree
///     timeStampToken  ContentInfo }  -- RFC 3161 TimeStampToken; its messageImprint is the SHA-256 of the
///                                    -- 40-octet tree head: treeSize as 8 octets big-endian, then the root
///
/// EvidenceItem ::= SEQUENCE {
///     record     MessageLogRecord,
///     batch      INTEGER,                          -- index into batches, from 0
///     leafIndex  INTEGER,                          -- the record's position in the batch's tree
///     auditPath  SEQUENCE OF OCTET STRING,         -- RFC 9162 inclusion proof, sibling hashes leaf-first
///     body       [0] IMPLICIT OCTET STRING OPTIONAL }  -- the body, when the node keeps bodies
/// ```
///
/// Encoded in DER, so `openssl asn1parse -inform DER` shows every part and `-strparse` cuts out the token, a
/// record or a signature for `openssl ts -verify` and `openssl cms -verify` (see decision 0020).
public struct MessageLogEvidence: Sendable, Hashable {
    /// One time-stamped batch.
    public struct Batch: Sendable, Hashable {
        /// Leaves in the batch's tree.
        public let treeSize: Int64
        /// The DER RFC 3161 TimeStampToken over the tree head.
        public let timeStampToken: [UInt8]

        /// Creates a batch.
        public init(treeSize: Int64, timeStampToken: [UInt8]) {
            self.treeSize = treeSize
            self.timeStampToken = timeStampToken
        }
    }

    /// One record with its path to a batch's tree head.
    public struct Item: Sendable, Hashable {
        /// The record.
        public let record: MessageLogRecord
        /// Index into ``MessageLogEvidence/batches``.
        public let batch: Int
        /// The record's position in the batch's tree.
        public let leafIndex: Int64
        /// Sibling hashes from the leaf up.
        public let auditPath: [[UInt8]]
        /// The body, when kept.
        public let body: [UInt8]?

        /// Creates an item.
        public init(record: MessageLogRecord, batch: Int, leafIndex: Int64, auditPath: [[UInt8]], body: [UInt8]?) {
            self.record = record
            self.batch = batch
            self.leafIndex = leafIndex
            self.auditPath = auditPath
            self.body = body
        }
    }

    /// The batches.
    public let batches: [Batch]
    /// The records.
    public let items: [Item]

    static let bodyTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    /// The largest evidence file the decoder accepts (an archive of a busy day is large; memory is the bound).
    public static let maximumSize = 1 << 31

    /// Creates evidence from its parts.
    public init(batches: [Batch], items: [Item]) {
        self.batches = batches
        self.items = items
    }

    /// The DER encoding.
    public var derEncoded: [UInt8] {
        var serializer = DER.Serializer()
        // Only value types that always encode go in; a failure here is a bug, not bad input.
        try! serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                for batch in batches {
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(batch.treeSize)
                        coder.serializeRawBytes(batch.timeStampToken)
                    }
                }
            }
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                for item in items {
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        coder.serializeRawBytes(item.record.derEncoded)
                        try coder.serialize(item.batch)
                        try coder.serialize(item.leafIndex)
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            for hash in item.auditPath {
                                try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(hash)))
                            }
                        }
                        if let body = item.body {
                            try ASN1OctetString(contentBytes: ArraySlice(body))
                                .serialize(into: &coder, withIdentifier: Self.bodyTag)
                        }
                    }
                }
            }
        }
        return serializer.serializedBytes
    }

    /// Decodes DER evidence. Refuses anything that is not exactly this structure in DER (including a canonical
    /// re-encoding), but checks nothing cryptographic: that is ``verify(_:trustAnchors:intermediates:)``'s job.
    public init(derEncoded bytes: [UInt8]) throws(ExchangeError) {
        guard bytes.count <= Self.maximumSize else {
            throw ExchangeError(.malformedEvidence, "the evidence is larger than \(Self.maximumSize) bytes")
        }
        let parsed: (batches: [Batch], items: [Item])
        do {
            parsed = try Self.decode(try DER.parse(bytes))
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw ExchangeError(.malformedEvidence, "the evidence is not well-formed DER: \(error)")
        }
        self.init(batches: parsed.batches, items: parsed.items)
        guard derEncoded == bytes else {
            throw ExchangeError(.malformedEvidence, "the evidence is not in its canonical DER encoding")
        }
    }

    private static func decode(_ node: ASN1Node) throws -> (batches: [Batch], items: [Item]) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else {
                throw ExchangeError(.malformedEvidence, "the evidence has version \(version), not 1")
            }
            guard let batchesNode = nodes.next(), let itemsNode = nodes.next() else {
                throw ExchangeError(.malformedEvidence, "the evidence lacks its batches or items")
            }
            let batches = try DER.sequence(batchesNode, identifier: .sequence) { nodes in
                var batches: [Batch] = []
                while let batchNode = nodes.next() {
                    batches.append(
                        try DER.sequence(batchNode, identifier: .sequence) { nodes in
                            let treeSize = try Int64(derEncoded: &nodes)
                            guard let token = nodes.next(), token.identifier == .sequence else {
                                throw ExchangeError(.malformedEvidence, "a batch lacks its time-stamp token")
                            }
                            return Batch(treeSize: treeSize, timeStampToken: Array(token.encodedBytes))
                        })
                }
                return batches
            }
            let items = try DER.sequence(itemsNode, identifier: .sequence) { nodes in
                var items: [Item] = []
                while let itemNode = nodes.next() {
                    items.append(try decodeItem(itemNode))
                }
                return items
            }
            guard !batches.isEmpty, !items.isEmpty else {
                throw ExchangeError(.malformedEvidence, "the evidence has no batch or no record")
            }
            return (batches, items)
        }
    }

    private static func decodeItem(_ node: ASN1Node) throws -> Item {
        try DER.sequence(node, identifier: .sequence) { nodes in
            guard let recordNode = nodes.next() else {
                throw ExchangeError(.malformedEvidence, "an item lacks its record")
            }
            let record = try MessageLogRecord(derEncoded: Array(recordNode.encodedBytes))
            let batch = try Int(derEncoded: &nodes)
            let leafIndex = try Int64(derEncoded: &nodes)
            guard let pathNode = nodes.next() else {
                throw ExchangeError(.malformedEvidence, "an item lacks its audit path")
            }
            let path = try DER.sequence(of: ASN1OctetString.self, identifier: .sequence, rootNode: pathNode)
            let body: ASN1OctetString? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.bodyTag)
            return Item(
                record: record, batch: batch, leafIndex: leafIndex, auditPath: path.map { Array($0.bytes) },
                body: body.map { Array($0.bytes) })
        }
    }
}
