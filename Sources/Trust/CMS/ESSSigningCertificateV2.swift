public import SwiftASN1
public import X509

/// The ESS signing-certificate-v2 attribute value (RFC 5035 3), which binds a signature to its certificate.
///
/// ```asn1
/// SigningCertificateV2 ::= SEQUENCE {
///     certs SEQUENCE OF ESSCertIDv2,
///     policies SEQUENCE OF PolicyInformation OPTIONAL }
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash Hash,
///     issuerSerial IssuerSerial OPTIONAL }
/// Hash ::= OCTET STRING
/// IssuerSerial ::= SEQUENCE {
///     issuer GeneralNames,
///     serialNumber CertificateSerialNumber }
/// ```
public struct ESSSigningCertificateV2: Sendable, Hashable {
    /// One `ESSCertIDv2`: a certificate's hash and, optionally, its issuer and serial number.
    public struct CertificateIdentifier: Sendable, Hashable {
        /// The hash algorithm (SHA-256 when the field is absent, its DEFAULT).
        public var hashAlgorithm: CMSAlgorithmIdentifier
        /// The hash of the whole DER certificate.
        public var certificateHash: [UInt8]
        /// The issuer names of `IssuerSerial`, when present.
        public var issuer: [GeneralName]?
        /// The serial number of `IssuerSerial`, when present.
        public var serialNumber: Certificate.SerialNumber?

        /// Creates an identifier from its fields.
        public init(
            hashAlgorithm: CMSAlgorithmIdentifier = CMSDigestAlgorithm.sha256.algorithmIdentifier,
            certificateHash: [UInt8],
            issuer: [GeneralName]? = nil,
            serialNumber: Certificate.SerialNumber? = nil
        ) {
            self.hashAlgorithm = hashAlgorithm
            self.certificateHash = certificateHash
            self.issuer = issuer
            self.serialNumber = serialNumber
        }

        /// The identifier of `certificate`, with its issuer and serial number.
        public init(certificate: Certificate, hashAlgorithm: CMSDigestAlgorithm = .sha256) {
            self.init(
                hashAlgorithm: hashAlgorithm.algorithmIdentifier,
                certificateHash: hashAlgorithm.hash(DERWriter.serialize(certificate)),
                issuer: [.directoryName(certificate.issuer)],
                serialNumber: certificate.serialNumber
            )
        }

        /// Whether this identifies `certificate`: the hash matches and, when present, the issuer and serial.
        public func matches(_ certificate: Certificate) -> Bool {
            guard let algorithm = CMSDigestAlgorithm(hashAlgorithm),
                algorithm.hash(DERWriter.serialize(certificate)) == certificateHash
            else { return false }
            if let serialNumber, serialNumber != certificate.serialNumber { return false }
            if let issuer, !issuer.contains(.directoryName(certificate.issuer)) { return false }
            return true
        }
    }

    /// The certificates; the first is the signer's (RFC 5035 5.4).
    public var certificates: [CertificateIdentifier]
    /// The `policies` field exactly as encoded, when present.
    public var policies: ASN1Any?

    /// Creates the value.
    public init(certificates: [CertificateIdentifier], policies: ASN1Any? = nil) {
        self.certificates = certificates
        self.policies = policies
    }

    /// Decodes the DER value.
    public init(derEncoded: [UInt8]) throws(CMSError) {
        do {
            self = try Self(derEncoded: try DER.parse(derEncoded))
        } catch let error as CMSError {
            throw error
        } catch {
            throw CMSError(.malformed, "SigningCertificateV2: \(error)")
        }
    }

    /// The DER encoding; a SHA-256 hash algorithm is left out, as DER requires for a DEFAULT value.
    public var derEncoded: [UInt8] { DERWriter.serialize(self) }

    /// The signed attribute that carries this value.
    public var attribute: CMSAttribute {
        CMSAttribute(type: .CMS.signingCertificateV2, values: [ASN1Any(derEncoded: try! DER.parse(derEncoded))])
    }
}

extension ESSSigningCertificateV2: DERImplicitlyTaggable {
    /// `SEQUENCE`.
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// Decodes a `SigningCertificateV2`.
    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        var nodes = try DERReader.children(of: rootNode, tag: identifier)
        let certificateNodes = try DERReader.all(try DERReader.next(&nodes, "certs"), tag: .sequence)
        let certificates = try certificateNodes.map(Self.decodeIdentifier)
        let policies = DERReader.optional(&nodes, tag: .sequence).map { ASN1Any(derEncoded: $0) }
        try DERReader.end(&nodes, "policies")
        self.init(certificates: certificates, policies: policies)
    }

    private static func decodeIdentifier(_ node: ASN1Node) throws -> CertificateIdentifier {
        var fields = try DERReader.children(of: node, tag: .sequence)
        var hashAlgorithm = CMSDigestAlgorithm.sha256.algorithmIdentifier
        if let algorithmNode = DERReader.optional(&fields, tag: .sequence) {
            hashAlgorithm = try CMSAlgorithmIdentifier(derEncoded: algorithmNode)
        }
        let hash = try ASN1OctetString(derEncoded: try DERReader.next(&fields, "certHash"))
        var issuer: [GeneralName]?
        var serialNumber: Certificate.SerialNumber?
        if let issuerSerialNode = DERReader.optional(&fields, tag: .sequence) {
            var issuerSerial = try DERReader.children(of: issuerSerialNode, tag: .sequence)
            let names = try DERReader.all(try DERReader.next(&issuerSerial, "issuer"), tag: .sequence)
            issuer = try names.map { try GeneralName(derEncoded: $0) }
            let serial = try DERReader.integer(try DERReader.next(&issuerSerial, "serialNumber"))
            serialNumber = Certificate.SerialNumber(bytes: serial)
            try DERReader.end(&issuerSerial, "IssuerSerial")
        }
        try DERReader.end(&fields, "ESSCertIDv2")
        return CertificateIdentifier(
            hashAlgorithm: hashAlgorithm,
            certificateHash: Array(hash.bytes),
            issuer: issuer,
            serialNumber: serialNumber
        )
    }

    /// Encodes the `SigningCertificateV2`.
    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                for certificate in certificates {
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        if CMSDigestAlgorithm(certificate.hashAlgorithm) != .sha256 {
                            try coder.serialize(certificate.hashAlgorithm)
                        }
                        try coder.serialize(ASN1OctetString(contentBytes: certificate.certificateHash[...]))
                        if let issuer = certificate.issuer, let serialNumber = certificate.serialNumber {
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serializeSequenceOf(issuer)
                                try coder.serialize(serialNumber.bytes)
                            }
                        }
                    }
                }
            }
            if let policies {
                try coder.serialize(policies)
            }
        }
    }
}
