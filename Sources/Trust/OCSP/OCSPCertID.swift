import SwiftASN1
public import X509

/// Names one certificate in an OCSP request or response, by hashes of its issuer and its serial number.
///
/// ```
/// CertID ::= SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// ```
/// A response repeats the request's CertID byte for byte (`derEncoded`), because clients such as openssl compare
/// the algorithm's parameters too (NULL or absent).
public struct OCSPCertID: Sendable {
    /// The hash algorithm, or nil when the CertID uses one this implementation does not support.
    public let hashAlgorithm: OCSPHashAlgorithm?
    /// The hash of the issuer's subject name DER.
    public let issuerNameHash: ArraySlice<UInt8>
    /// The hash of the issuer's subjectPublicKey BIT STRING value.
    public let issuerKeyHash: ArraySlice<UInt8>
    /// The serial number's big-endian magnitude (the INTEGER contents without the leading zero octet), sliced from
    /// the encoding: `Certificate.SerialNumber.bytes` has this form.
    let serialMagnitude: ArraySlice<UInt8>
    /// Whether the serial number is negative, which no certificate parsed by swift-certificates can have.
    let hasNegativeSerial: Bool
    /// The whole CertID, as received or built.
    public let derEncoded: ArraySlice<UInt8>

    /// The certificate's serial number.
    public var serialNumber: Certificate.SerialNumber { Certificate.SerialNumber(bytes: serialMagnitude) }

    /// Builds the CertID of the certificate with `serialNumber` issued by `issuer`.
    public init(
        hashAlgorithm: OCSPHashAlgorithm = .sha256,
        issuer: Certificate,
        serialNumber: Certificate.SerialNumber
    ) throws {
        let parts: OCSPCertificateParts
        do {
            parts = try OCSPCertificateParts(issuer)
        } catch {
            throw OCSPError(.invalidEncoding, "issuer certificate: \(error)")
        }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { certID in
            certID.serializeRawBytes(hashAlgorithm.algorithmIdentifier)
            try certID.serialize(ASN1OctetString(contentBytes: hashAlgorithm.digest(parts.subject)[...]))
            try certID.serialize(ASN1OctetString(contentBytes: hashAlgorithm.digest(parts.publicKeyBits)[...]))
            certID.appendPrimitiveNode(identifier: .integer) {
                $0.append(contentsOf: Self.integerContents(magnitude: serialNumber.bytes))
            }
        }
        try self.init(derEncoded: DER.parse(serializer.serializedBytes))
    }

    /// Builds the CertID of `certificate`, issued by `issuer`.
    public init(hashAlgorithm: OCSPHashAlgorithm = .sha256, certificate: Certificate, issuer: Certificate) throws {
        try self.init(hashAlgorithm: hashAlgorithm, issuer: issuer, serialNumber: certificate.serialNumber)
    }

    /// Reads a CertID node strictly: any structural error throws, an unsupported hash algorithm does not.
    init(derEncoded node: ASN1Node) throws {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "CertID is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let algorithm = fields.next(), let nameHash = fields.next(), let keyHash = fields.next(),
            let serial = fields.next(), fields.next() == nil
        else {
            throw OCSPError(.invalidEncoding, "CertID must have four fields")
        }
        hashAlgorithm = try Self.hashAlgorithm(algorithm)
        issuerNameHash = try Self.octetString(nameHash)
        issuerKeyHash = try Self.octetString(keyHash)
        let serialContents = try Self.integer(serial)
        hasNegativeSerial = serialContents[serialContents.startIndex] & 0x80 != 0
        serialMagnitude =
            serialContents.count > 1 && serialContents.first == 0 ? serialContents.dropFirst() : serialContents
        derEncoded = node.encodedBytes
    }

    /// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`; SHA-1 and
    /// SHA-256 count as supported with absent or NULL parameters.
    private static func hashAlgorithm(_ node: ASN1Node) throws -> OCSPHashAlgorithm? {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "hashAlgorithm is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let oid = fields.next(), oid.identifier == .objectIdentifier, case .primitive(let content) = oid.content,
            !content.isEmpty
        else {
            throw OCSPError(.invalidEncoding, "hashAlgorithm has no OBJECT IDENTIFIER")
        }
        let parameters = fields.next()
        guard fields.next() == nil else { throw OCSPError(.invalidEncoding, "hashAlgorithm has extra fields") }
        if let parameters {
            guard parameters.identifier == .null, case .primitive(let value) = parameters.content, value.isEmpty else {
                return nil
            }
        }
        return OCSPHashAlgorithm(oidContent: content)
    }

    private static func octetString(_ node: ASN1Node) throws -> ArraySlice<UInt8> {
        guard node.identifier == .octetString, case .primitive(let content) = node.content else {
            throw OCSPError(.invalidEncoding, "expected an OCTET STRING")
        }
        return content
    }

    /// The DER INTEGER contents of a non-negative number given by its big-endian magnitude.
    static func integerContents(magnitude: ArraySlice<UInt8>) -> [UInt8] {
        let trimmed = magnitude.drop { $0 == 0 }
        guard let first = trimmed.first else { return [0] }
        return first & 0x80 != 0 ? [0] + trimmed : Array(trimmed)
    }

    /// The contents of a DER INTEGER, checked for minimal encoding (X.690 §8.3.2).
    static func integer(_ node: ASN1Node) throws -> ArraySlice<UInt8> {
        guard node.identifier == .integer, case .primitive(let content) = node.content, let first = content.first
        else {
            throw OCSPError(.invalidEncoding, "expected an INTEGER")
        }
        if content.count > 1 {
            let second = content[content.startIndex + 1]
            if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw OCSPError(.invalidEncoding, "INTEGER not minimally encoded")
            }
        }
        return content
    }
}

extension OCSPCertID: Hashable {
    /// CertIDs are equal when their encodings are: DER has one encoding per value.
    public static func == (lhs: OCSPCertID, rhs: OCSPCertID) -> Bool {
        lhs.derEncoded == rhs.derEncoded
    }

    /// Hashes the encoding.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(derEncoded)
    }
}
