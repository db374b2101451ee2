import X509

/// The kinds of certificate the national PKI issues, and what each carries.
public enum CertificateProfile: String, Sendable, CaseIterable, Codable {
    /// Self-signed root: keyCertSign and cRLSign, no path length limit below it but one level of issuing CAs.
    case rootCA = "root-ca"
    /// An issuing CA under the root (path length 0).
    case issuingCA = "issuing-ca"
    /// The time-stamping unit: digitalSignature, EKU timeStamping (critical, RFC 3161 §2.3).
    case timeStamping = "time-stamping"
    /// A delegated OCSP signer: EKU ocspSigning and id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
    case ocspSigning = "ocsp-signing"
    /// A citizen's authentication certificate (eID card, mobile ID): digitalSignature, clientAuth.
    case citizenAuthentication = "citizen-authentication"
    /// A citizen's qualified signature certificate: nonRepudiation, QC statements (QcCompliance, QcSSCD,
    /// QcType esign), policy QCP-n-qscd.
    case citizenQualifiedSignature = "citizen-qualified-signature"
    /// An organisation's qualified e-seal certificate: nonRepudiation, QcType eseal, policy QCP-l-qscd.
    case organisationSeal = "organisation-seal"
    /// An exchange node's TLS certificate: digitalSignature, serverAuth and clientAuth (mutual TLS).
    case tlsNode = "tls-node"

    /// The profiles that may be requested through the issuance CLI and API (the hierarchy's own are not).
    public static let endEntity: [CertificateProfile] = [
        .citizenAuthentication, .citizenQualifiedSignature, .organisationSeal, .tlsNode,
    ]

    /// The issuing CA an end-entity profile is issued by.
    public var issuingRole: PKIRole? {
        switch self {
        case .citizenAuthentication, .citizenQualifiedSignature: .citizensCA
        case .organisationSeal, .tlsNode: .organisationsCA
        default: nil
        }
    }

    /// Validity in days.
    public var validityDays: Int {
        switch self {
        case .rootCA: 20 * 365
        case .issuingCA: 10 * 365
        case .timeStamping: 5 * 365
        case .ocspSigning: 365
        case .citizenAuthentication, .citizenQualifiedSignature: 5 * 365
        case .organisationSeal: 3 * 365
        case .tlsNode: 397
        }
    }

    var keyUsage: KeyUsage {
        switch self {
        case .rootCA, .issuingCA: KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true)
        case .timeStamping, .ocspSigning, .citizenAuthentication: KeyUsage(digitalSignature: true)
        case .citizenQualifiedSignature, .organisationSeal: KeyUsage(nonRepudiation: true)
        case .tlsNode: KeyUsage(digitalSignature: true, keyAgreement: true)
        }
    }

    var extendedKeyUsage: (usages: [ExtendedKeyUsage.Usage], critical: Bool)? {
        switch self {
        case .rootCA, .issuingCA, .citizenQualifiedSignature, .organisationSeal: nil
        case .timeStamping: ([.timeStamping], true)
        case .ocspSigning: ([.ocspSigning], false)
        case .citizenAuthentication: ([.clientAuth], false)
        case .tlsNode: ([.serverAuth, .clientAuth], false)
        }
    }

    var basicConstraints: BasicConstraints {
        switch self {
        case .rootCA: .isCertificateAuthority(maxPathLength: 1)
        case .issuingCA: .isCertificateAuthority(maxPathLength: 0)
        default: .notCertificateAuthority
        }
    }

    /// Whether relying parties need revocation pointers (everything but the root and the OCSP signers).
    var carriesRevocationPointers: Bool { self != .rootCA && self != .ocspSigning }

    var qualifiedType: TrustExtensions.QualifiedType? {
        switch self {
        case .citizenQualifiedSignature: .electronicSignature
        case .organisationSeal: .electronicSeal
        default: nil
        }
    }
}
