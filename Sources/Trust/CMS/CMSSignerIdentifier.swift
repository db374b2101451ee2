public import SwiftASN1
public import X509

/// Which certificate a CMS signer used (RFC 5652 5.3).
///
/// ```asn1
/// SignerIdentifier ::= CHOICE {
///     issuerAndSerialNumber IssuerAndSerialNumber,
///     subjectKeyIdentifier [0] SubjectKeyIdentifier }
/// IssuerAndSerialNumber ::= SEQUENCE {
///     issuer Name,
///     serialNumber CertificateSerialNumber }
/// SubjectKeyIdentifier ::= OCTET STRING
/// ```
public enum CMSSignerIdentifier: Sendable, Hashable {
    /// The certificate's issuer name and serial number (SignerInfo version 1).
    case issuerAndSerialNumber(issuer: DistinguishedName, serialNumber: Certificate.SerialNumber)
    /// The certificate's subject key identifier (SignerInfo version 3).
    case subjectKeyIdentifier([UInt8])

    /// The issuer-and-serial-number identifier of `certificate`.
    public init(issuerAndSerialNumberOf certificate: Certificate) {
        self = .issuerAndSerialNumber(issuer: certificate.issuer, serialNumber: certificate.serialNumber)
    }

    /// The subject-key-identifier identifier of `certificate`; throws if it has no such extension.
    public init(subjectKeyIdentifierOf certificate: Certificate) throws(CMSError) {
        let identifier: SubjectKeyIdentifier?
        do {
            identifier = try certificate.extensions.subjectKeyIdentifier
        } catch {
            throw CMSError(.malformed, "the certificate's subject key identifier cannot be read: \(error)")
        }
        guard let identifier else {
            throw CMSError(.invalidArgument, "the certificate has no subject key identifier")
        }
        self = .subjectKeyIdentifier(Array(identifier.keyIdentifier))
    }

    /// The SignerInfo version that goes with this choice: 1 or 3.
    public var signerInfoVersion: Int {
        switch self {
        case .issuerAndSerialNumber: 1
        case .subjectKeyIdentifier: 3
        }
    }

    /// Whether `certificate` is the one identified.
    public func matches(_ certificate: Certificate) -> Bool {
        switch self {
        case .issuerAndSerialNumber(let issuer, let serialNumber):
            return certificate.issuer == issuer && certificate.serialNumber == serialNumber
        case .subjectKeyIdentifier(let keyIdentifier):
            guard let extensionValue = try? certificate.extensions.subjectKeyIdentifier else { return false }
            return Array(extensionValue.keyIdentifier) == keyIdentifier
        }
    }

    /// The DER encoding.
    public var derEncoded: [UInt8] { DERWriter.serialize(self) }
}

extension CMSSignerIdentifier: DERParseable, DERSerializable {
    private static let subjectKeyIdentifierTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Decodes a `SignerIdentifier`.
    public init(derEncoded node: ASN1Node) throws {
        switch node.identifier {
        case .sequence:
            var nodes = try DERReader.children(of: node, tag: .sequence)
            let issuer = try DistinguishedName(derEncoded: try DERReader.next(&nodes, "issuer"))
            let serial = try DERReader.integer(try DERReader.next(&nodes, "serialNumber"))
            try DERReader.end(&nodes, "serialNumber")
            self = .issuerAndSerialNumber(issuer: issuer, serialNumber: Certificate.SerialNumber(bytes: serial))
        case Self.subjectKeyIdentifierTag:
            let octets = try ASN1OctetString(derEncoded: node, withIdentifier: Self.subjectKeyIdentifierTag)
            self = .subjectKeyIdentifier(Array(octets.bytes))
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    /// Encodes the `SignerIdentifier`.
    public func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .issuerAndSerialNumber(let issuer, let serialNumber):
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(issuer)
                try coder.serialize(serialNumber.bytes)
            }
        case .subjectKeyIdentifier(let keyIdentifier):
            try ASN1OctetString(contentBytes: keyIdentifier[...])
                .serialize(into: &coder, withIdentifier: Self.subjectKeyIdentifierTag)
        }
    }
}
