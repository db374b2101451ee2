public import CivitasCore
import Foundation
import SwiftASN1
import Trust
// Expiry is judged at the verifier's clock, so that tests and nodes with a skewed clock agree on "now".
@_spi(FixedExpiryValidationTime) public import X509

/// Checks a downloaded global configuration before a node may use it: the detached CMS signature over the exact
/// bytes, the signer's certificate (the central registry's e-seal, by its common name) and its chain to the
/// instance's root certificate (the configuration anchor, distributed out of band), valid now; then the document:
/// its format, its instance and its expiry.
public struct GlobalConfigurationVerifier: Sendable {
    /// The common name of the central registry's e-seal certificate.
    public static let defaultSignerName = "\(GlobalConfigurationPublisher.sealOrganisation) e-seal"

    /// The instance's root certificate.
    public let trustAnchor: Certificate
    /// The instance the node belongs to.
    public let instance: String
    /// The common name the signing certificate must have: without this check, any certificate under the root (an
    /// agency's seal, a citizen's signature) could sign a configuration.
    public let signerName: String
    private let clock: any WallClock

    /// Creates a verifier.
    public init(
        trustAnchor: Certificate, instance: String, signerName: String = Self.defaultSignerName,
        clock: any WallClock = SystemClock()
    ) {
        self.trustAnchor = trustAnchor
        self.instance = instance
        self.signerName = signerName
        self.clock = clock
    }

    /// Verifies `content` and its `signature`, and decodes the configuration.
    ///
    /// - Throws: ``ExchangeError`` `.globalConfigurationRefused` saying what failed.
    public func verify(content: [UInt8], signature: [UInt8]) async throws(ExchangeError) -> SignedGlobalConfiguration {
        let now = clock.now()
        func refuse(_ reason: String) -> ExchangeError {
            ExchangeError(.globalConfigurationRefused, "the global configuration is refused: \(reason)")
        }
        let signedData: CMSSignedData
        do {
            signedData = try CMSSignedData(contentInfoDER: signature)
        } catch {
            throw refuse("the signature is not a CMS SignedData")
        }
        guard signedData.content == nil, signedData.signerInfos.count == 1,
            let signerInfo = signedData.signerInfos.first
        else { throw refuse("the signature must be detached, with exactly one signer") }
        guard let algorithm = CMSDigestAlgorithm(signerInfo.digestAlgorithm),
            let digest = try? signerInfo.messageDigest
        else { throw refuse("the signature's digest is missing or of an unaccepted algorithm") }
        guard algorithm.hash(content) == digest else {
            throw refuse("the content is not what was signed (digest mismatch)")
        }
        let embedded = (try? signedData.parsedCertificates()) ?? []
        guard let signer = embedded.first(where: { signerInfo.signerIdentifier.matches($0) }) else {
            throw refuse("the signing certificate is not in the signature")
        }
        guard signerInfo.isValidSignature(publicKey: signer.publicKey, content: content) else {
            throw refuse("the signature value does not verify")
        }
        let commonNames = signer.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }
            .map { $0.value.description }
        guard commonNames == [signerName] else {
            throw refuse("it is not signed by the central registry's seal (\(signerName))")
        }
        var verifier = Verifier(rootCertificates: CertificateStore([trustAnchor])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: signer, intermediates: CertificateStore(embedded))
        guard case .validCertificate = result else {
            throw refuse("the signing certificate does not chain to the trusted root, or is not valid now")
        }
        let configuration: GlobalConfiguration
        do {
            configuration = try GlobalConfiguration(json: content)
        } catch {
            throw refuse("the content is not a global configuration document")
        }
        guard configuration.format == GlobalConfiguration.currentFormat else {
            throw refuse("format \(configuration.format) is not understood")
        }
        guard configuration.instance == instance else {
            throw refuse("it is for the instance \(configuration.instance), not \(instance)")
        }
        guard now < configuration.expiresAt else { throw refuse("it expired at \(Timestamp(configuration.expiresAt))") }
        return SignedGlobalConfiguration(content: content, signature: signature, configuration: configuration)
    }
}
