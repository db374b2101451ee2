/// The certificates of the national PKI's own hierarchy, each with a stable name (`/certs/<name>.crt`).
public enum PKIRole: String, Sendable, CaseIterable, Codable {
    /// The root CA (P-384, self-signed, offline in a real deployment).
    case root = "root-ca"
    /// Issues citizens' authentication and qualified signing certificates (eID cards, mobile ID).
    case citizensCA = "citizens-ca"
    /// Issues organisations' e-seal certificates and exchange nodes' TLS certificates.
    case organisationsCA = "organisations-ca"
    /// The time-stamping unit (issued by the organisations CA; EKU timeStamping, critical).
    case timeStamping = "tsa"
    /// The delegated OCSP signer for the citizens CA (ocspSigning, id-pkix-ocsp-nocheck).
    case citizensOCSP = "citizens-ocsp"
    /// The delegated OCSP signer for the organisations CA.
    case organisationsOCSP = "organisations-ocsp"

    /// The issuing CAs, whose certificates OCSP and CRLs cover.
    public static let issuingCAs: [PKIRole] = [.citizensCA, .organisationsCA]
    /// The CAs that publish revocation status (a CRL and OCSP answers): the issuing CAs, and the root for the
    /// issuing CAs' own certificates (its CRL is an authority revocation list).
    public static let revocationIssuers: [PKIRole] = [.root, .citizensCA, .organisationsCA]

    /// The role that issues this role's certificate (the root issues itself).
    public var issuer: PKIRole {
        switch self {
        case .root, .citizensCA, .organisationsCA: .root
        case .timeStamping, .organisationsOCSP: .organisationsCA
        case .citizensOCSP: .citizensCA
        }
    }

    /// The OCSP signer answering for this issuing CA.
    public var ocspSigner: PKIRole? {
        switch self {
        case .citizensCA: .citizensOCSP
        case .organisationsCA: .organisationsOCSP
        default: nil
        }
    }

    /// The profile its certificate is issued under.
    public var profile: CertificateProfile {
        switch self {
        case .root: .rootCA
        case .citizensCA, .organisationsCA: .issuingCA
        case .timeStamping: .timeStamping
        case .citizensOCSP, .organisationsOCSP: .ocspSigning
        }
    }

    /// The common name of its subject.
    var commonName: String {
        switch self {
        case .root: "Civitas Root CA"
        case .citizensCA: "Civitas Citizens CA"
        case .organisationsCA: "Civitas Organisations CA"
        case .timeStamping: "Civitas Time-Stamping Unit 1"
        case .citizensOCSP: "Civitas Citizens CA OCSP Responder"
        case .organisationsOCSP: "Civitas Organisations CA OCSP Responder"
        }
    }
}
