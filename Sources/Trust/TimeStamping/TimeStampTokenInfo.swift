public import Foundation
public import SwiftASN1
public import X509

/// What a time-stamp token asserts: this imprint existed at this time (RFC 3161 2.4.2).
///
/// ```asn1
/// TSTInfo ::= SEQUENCE  {
///     version                      INTEGER  { v1(1) },
///     policy                       TSAPolicyId,
///     messageImprint               MessageImprint,
///     serialNumber                 INTEGER,
///     genTime                      GeneralizedTime,
///     accuracy                     Accuracy                 OPTIONAL,
///     ordering                     BOOLEAN             DEFAULT FALSE,
///     nonce                        INTEGER                  OPTIONAL,
///     tsa                          [0] GeneralName          OPTIONAL,
///     extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
/// ```
public struct TimeStampTokenInfo: Sendable, Hashable {
    /// The version (1).
    public let version: Int
    /// The TSA policy under which the token was issued.
    public let policy: ASN1ObjectIdentifier
    /// The message imprint's hash algorithm.
    public let hashAlgorithm: CMSAlgorithmIdentifier
    /// The digest that was time-stamped.
    public let hashedMessage: [UInt8]
    /// The serial number, unsigned big-endian (no sign octet).
    public let serialNumber: [UInt8]
    /// The time of the time-stamp.
    public let genTime: Date
    /// The accuracy of genTime, if stated.
    public let accuracy: TimeStampAccuracy?
    /// Whether tokens from this TSA can be ordered by genTime alone.
    public let ordering: Bool
    /// The nonce, unsigned big-endian (no sign octet), if the request had one.
    public let nonce: [UInt8]?
    /// The TSA's name, if given.
    public let tsaName: GeneralName?
    /// The `[1] IMPLICIT Extensions` field exactly as encoded, if present.
    public let extensionsDER: [UInt8]?

    private static let tsaTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let extensionsTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let millisTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let microsTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    /// Decodes a DER TSTInfo.
    public init(derEncoded bytes: [UInt8]) throws(TimeStampError) {
        do {
            let root = try DER.parse(bytes)
            var nodes = try DERReader.children(of: root, tag: .sequence)
            version = try DERReader.smallInteger(try DERReader.next(&nodes, "version"))
            policy = try ASN1ObjectIdentifier(derEncoded: try DERReader.next(&nodes, "policy"))
            var imprint = try DERReader.children(of: try DERReader.next(&nodes, "messageImprint"), tag: .sequence)
            hashAlgorithm = try CMSAlgorithmIdentifier(derEncoded: try DERReader.next(&imprint, "hashAlgorithm"))
            hashedMessage = Array(
                try DERReader.primitive(try DERReader.next(&imprint, "hashedMessage"), tag: .octetString)
            )
            try DERReader.end(&imprint, "hashedMessage")
            serialNumber = Array(try DERReader.integer(try DERReader.next(&nodes, "serialNumber")))
            genTime = DERTime.date(try GeneralizedTime(derEncoded: try DERReader.next(&nodes, "genTime")))
            accuracy = try DERReader.optional(&nodes, tag: .sequence).map(Self.accuracy)
            ordering = try DERReader.optional(&nodes, tag: .boolean).map { try Bool(derEncoded: $0) } ?? false
            nonce = try DERReader.optional(&nodes, tag: .integer).map { Array(try DERReader.integer($0)) }
            tsaName = try DERReader.optional(&nodes, tag: Self.tsaTag).map { node in
                var inner = try DERReader.children(of: node, tag: Self.tsaTag)
                let name = try GeneralName(derEncoded: try DERReader.next(&inner, "tsa"))
                try DERReader.end(&inner, "tsa")
                return name
            }
            extensionsDER = DERReader.optional(&nodes, tag: Self.extensionsTag).map { Array($0.encodedBytes) }
            try DERReader.end(&nodes, "TSTInfo")
        } catch {
            throw TimeStampError(.malformedResponse, "the token's TSTInfo is not DER: \(error)")
        }
    }

    private static func accuracy(_ node: ASN1Node) throws -> TimeStampAccuracy {
        var fields = try DERReader.children(of: node, tag: .sequence)
        var accuracy = TimeStampAccuracy()
        if let seconds = DERReader.optional(&fields, tag: .integer) {
            accuracy.seconds = try DERReader.smallInteger(seconds)
        }
        if let millis = DERReader.optional(&fields, tag: millisTag) {
            accuracy.millis = try DERReader.smallInteger(millis, tag: millisTag)
        }
        if let micros = DERReader.optional(&fields, tag: microsTag) {
            accuracy.micros = try DERReader.smallInteger(micros, tag: microsTag)
        }
        try DERReader.end(&fields, "Accuracy")
        guard accuracy.isValid else {
            throw ASN1Error.invalidASN1Object(reason: "accuracy out of range")
        }
        return accuracy
    }
}
