import SwiftASN1
import X509

/// DER for the certificate extensions swift-certificates has no type for.
enum TrustExtensions {
    /// id-ce-cRLDistributionPoints (RFC 5280 §4.2.1.13).
    static let crlDistributionPointsOID: ASN1ObjectIdentifier = [2, 5, 29, 31]
    /// id-ce-certificatePolicies (RFC 5280 §4.2.1.4).
    static let certificatePoliciesOID: ASN1ObjectIdentifier = [2, 5, 29, 32]
    /// id-pe-qcStatements (RFC 3739 §3.2.6).
    static let qcStatementsOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 3]
    /// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
    static let ocspNoCheckOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
    /// ETSI EN 319 411-2 QCP-n-qscd: qualified certificate for a natural person, key on a QSCD.
    static let qcpNaturalQSCD: ASN1ObjectIdentifier = [0, 4, 0, 194_112, 1, 2]
    /// ETSI EN 319 411-2 QCP-l-qscd: qualified certificate for a legal person, key on a QSCD.
    static let qcpLegalQSCD: ASN1ObjectIdentifier = [0, 4, 0, 194_112, 1, 3]
    /// ETSI EN 319 412-5 esi4-qcStatement-1 QcCompliance.
    static let qcCompliance: ASN1ObjectIdentifier = [0, 4, 0, 1862, 1, 1]
    /// ETSI EN 319 412-5 esi4-qcStatement-4 QcSSCD.
    static let qcSSCD: ASN1ObjectIdentifier = [0, 4, 0, 1862, 1, 4]
    /// ETSI EN 319 412-5 esi4-qcStatement-6 QcType.
    static let qcType: ASN1ObjectIdentifier = [0, 4, 0, 1862, 1, 6]

    /// ETSI EN 319 412-5 QcType values.
    enum QualifiedType {
        case electronicSignature
        case electronicSeal

        var oid: ASN1ObjectIdentifier {
            switch self {
            case .electronicSignature: [0, 4, 0, 1862, 1, 6, 1]
            case .electronicSeal: [0, 4, 0, 1862, 1, 6, 2]
            }
        }
    }

    /// ```
    /// CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
    /// DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, ... }
    /// DistributionPointName ::= CHOICE { fullName [0] GeneralNames, ... }
    /// GeneralName ::= CHOICE { ..., uniformResourceIdentifier [6] IA5String, ... }
    /// ```
    static func crlDistributionPoints(_ url: String) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        serializer.appendConstructedNode(identifier: .sequence) { points in
            points.appendConstructedNode(identifier: .sequence) { point in
                point.appendConstructedNode(
                    identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
                ) { name in
                    name.appendConstructedNode(
                        identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
                    ) { names in
                        names.appendPrimitiveNode(
                            identifier: ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific)
                        ) { bytes in bytes.append(contentsOf: url.utf8) }
                    }
                }
            }
        }
        return Certificate.Extension(
            oid: crlDistributionPointsOID, critical: false, value: serializer.serializedBytes[...])
    }

    /// ```
    /// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
    /// PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers ... OPTIONAL }
    /// ```
    static func certificatePolicies(_ policies: [ASN1ObjectIdentifier]) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { list in
            for policy in policies {
                try list.appendConstructedNode(identifier: .sequence) { information in
                    try information.serialize(policy)
                }
            }
        }
        return Certificate.Extension(
            oid: certificatePoliciesOID, critical: false, value: serializer.serializedBytes[...])
    }

    /// ```
    /// QCStatements ::= SEQUENCE OF QCStatement
    /// QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY DEFINED BY statementId OPTIONAL }
    /// QcType ::= SEQUENCE OF OBJECT IDENTIFIER
    /// ```
    static func qcStatements(type: QualifiedType) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { statements in
            try statements.appendConstructedNode(identifier: .sequence) { try $0.serialize(qcCompliance) }
            try statements.appendConstructedNode(identifier: .sequence) { try $0.serialize(qcSSCD) }
            try statements.appendConstructedNode(identifier: .sequence) { statement in
                try statement.serialize(qcType)
                try statement.appendConstructedNode(identifier: .sequence) { try $0.serialize(type.oid) }
            }
        }
        return Certificate.Extension(oid: qcStatementsOID, critical: false, value: serializer.serializedBytes[...])
    }

    /// `id-pkix-ocsp-nocheck ::= NULL`.
    static func ocspNoCheck() -> Certificate.Extension {
        Certificate.Extension(oid: ocspNoCheckOID, critical: false, value: [0x05, 0x00])
    }
}
