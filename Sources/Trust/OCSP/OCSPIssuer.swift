public import X509

/// A CA that a responder answers for, with the hashes that CertIDs name it by precomputed.
///
/// RFC 6960 §4.1.1: issuerNameHash is the hash of the issuer's distinguished name DER, issuerKeyHash the hash of
/// the value of its subjectPublicKey BIT STRING; both are computed from the certificate's own bytes, for SHA-1 and
/// SHA-256. Two values are equal when they name the same subject with the same key. Copies share one storage.
public struct OCSPIssuer: Sendable, CustomStringConvertible {
    private final class Storage: Sendable {
        let certificate: Certificate
        let subject: [UInt8]
        let sha1NameHash: [UInt8]
        let sha1KeyHash: [UInt8]
        let sha256NameHash: [UInt8]
        let sha256KeyHash: [UInt8]

        init(certificate: Certificate, parts: OCSPCertificateParts) {
            self.certificate = certificate
            subject = parts.subject
            sha1NameHash = OCSPHashAlgorithm.sha1.digest(parts.subject)
            sha1KeyHash = OCSPHashAlgorithm.sha1.digest(parts.publicKeyBits)
            sha256NameHash = OCSPHashAlgorithm.sha256.digest(parts.subject)
            sha256KeyHash = OCSPHashAlgorithm.sha256.digest(parts.publicKeyBits)
        }
    }

    private let storage: Storage

    /// The CA certificate.
    public var certificate: Certificate { storage.certificate }
    /// The SHA-1 hash of the CA's public key: its key identifier by RFC 5280 §4.2.1.2 method 1, and how the
    /// database may name the CA.
    public var keyIdentifier: [UInt8] { storage.sha1KeyHash }
    /// The CA's subject name DER, exactly as in its certificate.
    public var subjectDER: [UInt8] { storage.subject }

    /// Precomputes the CertID hashes of `certificate`.
    public init(certificate: Certificate) throws {
        let parts: OCSPCertificateParts
        do {
            parts = try OCSPCertificateParts(certificate)
        } catch {
            throw OCSPError(.invalidConfiguration, "cannot read the CA certificate: \(error)")
        }
        storage = Storage(certificate: certificate, parts: parts)
    }

    /// Whether `certID` names this CA.
    func isNamed(by certID: OCSPCertID) -> Bool {
        switch certID.hashAlgorithm {
        case .sha1:
            certID.issuerKeyHash.elementsEqual(storage.sha1KeyHash)
                && certID.issuerNameHash.elementsEqual(storage.sha1NameHash)
        case .sha256:
            certID.issuerKeyHash.elementsEqual(storage.sha256KeyHash)
                && certID.issuerNameHash.elementsEqual(storage.sha256NameHash)
        case nil:
            false
        }
    }

    /// The CA's subject.
    public var description: String { "\(storage.certificate.subject)" }
}

extension OCSPIssuer: Hashable {
    /// The same subject DER and the same key.
    public static func == (lhs: OCSPIssuer, rhs: OCSPIssuer) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.storage.sha1KeyHash == rhs.storage.sha1KeyHash && lhs.storage.subject == rhs.storage.subject)
    }

    /// Hashes the key identifier.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.sha1KeyHash)
    }
}
