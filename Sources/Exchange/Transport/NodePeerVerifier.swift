import NIOSSL
import SwiftASN1
import X509

/// Checks the certificate chain a peer node presents in the TLS handshake: RFC 5280 path validation to one of the
/// trust roots, valid now, and the leaf's extended key usage for its side of the connection (serverAuth for the node
/// we call, clientAuth for the node calling us). No name is checked: nodes are identified by the certificate the
/// central registry holds for them, not by a DNS name.
///
/// This runs in place of BoringSSL's own verification (a custom verification callback), so the chain is checked
/// by the same swift-certificates `Verifier` as every other chain in Civitas, and a refusal says why in words.
struct NodePeerVerifier: Sendable {
    let trustRoots: [Certificate]
    let usage: ExtendedKeyUsage.Usage

    init(trustRoots: [Certificate], usage: ExtendedKeyUsage.Usage) {
        self.trustRoots = trustRoots
        self.usage = usage
    }

    /// The peer's leaf once its chain verifies, or why it does not.
    func verify(_ presented: [NIOSSLCertificate]) async -> Result<Certificate, Refusal> {
        let certificates: [Certificate]
        do {
            certificates = try presented.map { try ParsedCertificates.certificate($0.toDERBytes()) }
        } catch {
            return .failure(Refusal("the peer sent a certificate that is not a DER X.509 certificate: \(error)"))
        }
        guard let leaf = certificates.first else {
            return .failure(Refusal("the peer sent no certificate"))
        }
        return await verify(leaf: leaf, intermediates: Array(certificates.dropFirst()))
    }

    /// The leaf once its chain through `intermediates` verifies, or why it does not.
    func verify(leaf: Certificate, intermediates: [Certificate]) async -> Result<Certificate, Refusal> {
        var verifier = Verifier(rootCertificates: CertificateStore(trustRoots)) {
            RFC5280Policy()
            NodeKeyUsagePolicy(usage: usage)
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
        case .validCertificate:
            return .success(leaf)
        case .couldNotValidate(let failures):
            if let failure = failures.first {
                return .failure(
                    Refusal("the certificate of \(leaf.subject) is refused: \(failure.policyFailureReason)"))
            }
            return .failure(
                Refusal(
                    "no chain from \(leaf.subject) (issued by \(leaf.issuer)) to a trusted root could be built"))
        }
    }

    /// Why a peer's certificate was refused, in words.
    struct Refusal: Error, Sendable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

/// The leaf is for TLS on the side it is used: its extended key usage lists `usage` (RFC 5280 §4.2.1.12: "the
/// certificate MUST only be used for one of the purposes indicated") and, if it has a key usage, that includes
/// digitalSignature, which the handshake's CertificateVerify needs (RFC 5280 §4.2.1.3).
struct NodeKeyUsagePolicy: VerifierPolicy {
    let usage: ExtendedKeyUsage.Usage
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let leaf = chain.leaf
        let name = usage == .serverAuth ? "serverAuth" : usage == .clientAuth ? "clientAuth" : "\(usage)"
        guard let extensionValue = leaf.extensions[oid: .X509ExtensionID.extendedKeyUsage] else {
            return .failsToMeetPolicy(reason: "the certificate has no extended key usage, so it is not for \(name)")
        }
        guard let usages = try? ExtendedKeyUsage(extensionValue) else {
            return .failsToMeetPolicy(reason: "the certificate's extended key usage is malformed")
        }
        guard usages.contains(usage) else {
            return .failsToMeetPolicy(reason: "the certificate's extended key usage does not include \(name)")
        }
        do {
            if let keyUsage = try leaf.extensions.keyUsage, !keyUsage.digitalSignature {
                return .failsToMeetPolicy(reason: "the certificate's key usage does not include digitalSignature")
            }
        } catch {
            return .failsToMeetPolicy(reason: "the certificate's key usage is malformed")
        }
        return .meetsPolicy
    }
}
