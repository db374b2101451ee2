import Crypto
import SwiftASN1
public import X509

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A signed X.509 v2 CRL (RFC 5280 §5): built and signed for a CA, or read back from DER.
///
/// ```
/// CertificateList  ::=  SEQUENCE  {
///     tbsCertList          TBSCertList,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signatureValue       BIT STRING  }
/// TBSCertList  ::=  SEQUENCE  {
///     version                 Version OPTIONAL,   -- if present, MUST be v2
///     signature               AlgorithmIdentifier,
///     issuer                  Name,
///     thisUpdate              Time,
///     nextUpdate              Time OPTIONAL,
///     revokedCertificates     SEQUENCE OF SEQUENCE  {
///         userCertificate         CertificateSerialNumber,
///         revocationDate          Time,
///         crlEntryExtensions      Extensions OPTIONAL } OPTIONAL,
///     crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// AuthorityKeyIdentifier ::= SEQUENCE {
///     keyIdentifier             [0] KeyIdentifier           OPTIONAL,
///     authorityCertIssuer       [1] GeneralNames            OPTIONAL,
///     authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }
/// ```
/// Built CRLs carry authorityKeyIdentifier (the CA's subject key identifier) and cRLNumber, write UTCTime through
/// 2049 and GeneralizedTime from 2050 (§5.1.2.4), and omit revokedCertificates when nothing is revoked (§5.1.2.6).
/// Reading accepts v1 and v2, and refuses critical extensions it does not know (§5.2), such as
/// issuingDistributionPoint.
public struct CertificateRevocationList: Sendable, Hashable {
    /// The issuer's Name DER, exactly as in the CA certificate's subject.
    public let issuerDER: ArraySlice<UInt8>
    /// When this CRL was issued.
    public let thisUpdate: Date
    /// When the next CRL will be issued at the latest.
    public let nextUpdate: Date?
    /// The revoked certificates, in the order the CRL lists them.
    public let entries: [Entry]
    /// The CRL number, if the CRL has one.
    public let crlNumber: CRLNumber?
    /// The authority key identifier's keyIdentifier, if the CRL has one.
    public let authorityKeyIdentifier: ArraySlice<UInt8>?
    /// The signature's algorithm.
    public let signatureAlgorithm: Certificate.SignatureAlgorithm
    /// The signature value (for ECDSA, a DER ECDSA-Sig-Value).
    public let signature: ArraySlice<UInt8>
    /// The signed bytes: the DER of tbsCertList.
    public let tbsCertList: ArraySlice<UInt8>
    /// The whole CRL's DER.
    public let derEncoded: [UInt8]

    static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
    static let crlNumberID: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let authorityKeyIdentifierID: ASN1ObjectIdentifier = [2, 5, 29, 35]
    static let tag0 = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Builds and signs a CRL for `issuer`.
    ///
    /// - Parameters:
    ///   - issuer: The CA certificate; its subject becomes the CRL's issuer, byte for byte.
    ///   - key: The CA's key (possibly an HSM's `CustomPrivateKey`); P-256 signs with ecdsa-with-SHA256, P-384 with
    ///     ecdsa-with-SHA384.
    ///   - crlNumber: Greater than the number of every CRL this CA issued before.
    ///   - thisUpdate: The issue time.
    ///   - nextUpdate: When the next CRL is due; after `thisUpdate`.
    ///   - entries: The revoked and suspended certificates, each serial once; `removeFromCRL` belongs in delta CRLs
    ///     only and is refused.
    public static func sign(
        issuer: Certificate,
        key: Certificate.PrivateKey,
        crlNumber: CRLNumber,
        thisUpdate: Date,
        nextUpdate: Date,
        entries: [Entry]
    ) async throws -> CertificateRevocationList {
        guard key.publicKey == issuer.publicKey else {
            throw CRLError(.invalidInput, "the key does not belong to the CA certificate")
        }
        guard nextUpdate > thisUpdate else { throw CRLError(.invalidInput, "nextUpdate must be after thisUpdate") }
        var serials = Set<Certificate.SerialNumber>()
        for entry in entries {
            guard serials.insert(entry.serialNumber).inserted else {
                throw CRLError(.invalidInput, "serial \(entry.serialNumber) listed twice")
            }
            guard entry.reason != .removeFromCRL else {
                throw CRLError(.invalidInput, "removeFromCRL is for delta CRLs only")
            }
        }
        let parts: OCSPCertificateParts
        let algorithm: Certificate.SignatureAlgorithm
        let algorithmDER: [UInt8]
        do {
            parts = try OCSPCertificateParts(issuer)
            algorithm = try OCSPSignatureAlgorithmCoding.algorithm(for: issuer.publicKey)
            algorithmDER = try OCSPSignatureAlgorithmCoding.algorithmIdentifier(algorithm)
        } catch {
            throw CRLError(.unsupportedAlgorithm, "cannot sign for this CA: \(error)")
        }
        // RFC 5280 §4.2.1.1: the CRL's keyIdentifier is the CA certificate's subjectKeyIdentifier; a CA without
        // one is named by method 1 of §4.2.1.2, the SHA-1 of its key.
        let keyIdentifier: [UInt8]
        if let subjectKeyIdentifier = try? issuer.extensions.subjectKeyIdentifier {
            keyIdentifier = Array(subjectKeyIdentifier.keyIdentifier)
        } else {
            keyIdentifier = Array(Insecure.SHA1.hash(data: parts.publicKeyBits))
        }
        let tbs = try tbsCertList(
            algorithmDER: algorithmDER,
            issuer: parts.subject,
            thisUpdate: thisUpdate,
            nextUpdate: nextUpdate,
            entries: entries,
            keyIdentifier: keyIdentifier,
            crlNumber: crlNumber
        )
        let signature = try await key.signAsynchronously(bytes: tbs, signatureAlgorithm: algorithm)
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { list in
            list.serializeRawBytes(tbs)
            list.serializeRawBytes(algorithmDER)
            try list.serialize(ASN1BitString(bytes: signature.rawRepresentation[...]))
        }
        return try CertificateRevocationList(derEncoded: serializer.serializedBytes)
    }

    /// Whether `issuer` issued this CRL: its subject is the CRL's issuer, byte for byte, and its key verifies the
    /// signature.
    public func isSignatureValid(issuer: Certificate) -> Bool {
        guard let parts = try? OCSPCertificateParts(issuer), parts.subject[...] == issuerDER else { return false }
        return issuer.publicKey.isValidSignature(signature, for: tbsCertList, signatureAlgorithm: signatureAlgorithm)
    }

    /// The entry for `serialNumber`, if the CRL lists it.
    public func entry(for serialNumber: Certificate.SerialNumber) -> Entry? {
        entries.first { $0.serialNumber == serialNumber }
    }

    /// Equal when the encodings are.
    public static func == (lhs: CertificateRevocationList, rhs: CertificateRevocationList) -> Bool {
        lhs.derEncoded == rhs.derEncoded
    }

    /// Hashes the encoding.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(derEncoded)
    }

    private static func tbsCertList(
        algorithmDER: [UInt8],
        issuer: [UInt8],
        thisUpdate: Date,
        nextUpdate: Date,
        entries: [Entry],
        keyIdentifier: [UInt8],
        crlNumber: CRLNumber
    ) throws -> [UInt8] {
        var timesFit = true
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { tbs in
            tbs.appendPrimitiveNode(identifier: .integer) { $0.append(1) }  // v2
            tbs.serializeRawBytes(algorithmDER)
            tbs.serializeRawBytes(issuer)
            timesFit = OCSPTime.appendTime(thisUpdate, to: &tbs) && timesFit
            timesFit = OCSPTime.appendTime(nextUpdate, to: &tbs) && timesFit
            if !entries.isEmpty {
                try tbs.appendConstructedNode(identifier: .sequence) { list in
                    for entry in entries {
                        try list.appendConstructedNode(identifier: .sequence) { item in
                            let serial = OCSPCertID.integerContents(magnitude: entry.serialNumber.bytes)
                            item.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: serial) }
                            timesFit = OCSPTime.appendTime(entry.revocationDate, to: &item) && timesFit
                            if let reason = entry.reason, reason != .unspecified {
                                try item.appendConstructedNode(identifier: .sequence) { extensions in
                                    try appendExtension(Self.reasonCode, to: &extensions) { value in
                                        value.appendPrimitiveNode(identifier: .enumerated) {
                                            $0.append(reason.rawValue)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            try tbs.appendConstructedNode(identifier: Self.tag0) { explicit in
                try explicit.appendConstructedNode(identifier: .sequence) { extensions in
                    try appendExtension(Self.authorityKeyIdentifierID, to: &extensions) { value in
                        value.appendConstructedNode(identifier: .sequence) { aki in
                            aki.appendPrimitiveNode(identifier: Self.tag0) { $0.append(contentsOf: keyIdentifier) }
                        }
                    }
                    try appendExtension(Self.crlNumberID, to: &extensions) { value in
                        value.appendPrimitiveNode(identifier: .integer) {
                            $0.append(contentsOf: crlNumber.integerContents)
                        }
                    }
                }
            }
        }
        guard timesFit else { throw CRLError(.invalidInput, "a date is outside the years 1 to 9999") }
        return serializer.serializedBytes
    }

    /// `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`, non-critical.
    private static func appendExtension(
        _ oid: ASN1ObjectIdentifier,
        to serializer: inout DER.Serializer,
        value: (inout DER.Serializer) throws -> Void
    ) throws {
        var inner = DER.Serializer()
        try value(&inner)
        try serializer.appendConstructedNode(identifier: .sequence) { extensionNode in
            try extensionNode.serialize(oid)
            try extensionNode.serialize(ASN1OctetString(contentBytes: inner.serializedBytes[...]))
        }
    }
}
