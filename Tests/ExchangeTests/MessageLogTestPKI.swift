import Crypto
import Foundation
import SwiftASN1
import Trust
import X509

/// A throwaway PKI for the message-log tests: a root CA, a time-stamping certificate and two member e-seal
/// certificates under it (the client's and the service provider's exchange nodes).
struct MessageLogTestPKI: Sendable {
    let rootKey: P256.Signing.PrivateKey
    let root: Certificate
    let tsaKey: P256.Signing.PrivateKey
    let tsa: Certificate
    let clientKey: P256.Signing.PrivateKey
    let client: Certificate
    let providerKey: P256.Signing.PrivateKey
    let provider: Certificate

    static func make(rootName: String = "Civitas Exchange Test Root") throws -> MessageLogTestPKI {
        let rootKey = P256.Signing.PrivateKey()
        let issuer = try DistinguishedName {
            CountryName("GE")
            OrganizationName("Civitas Test")
            CommonName(rootName)
        }
        let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
        let notAfter = Date(timeIntervalSince1970: 2_200_000_000)
        let rootPublic = Certificate.PublicKey(rootKey.publicKey)
        let rootIdentifier = SubjectKeyIdentifier(hash: rootPublic)
        let root = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: rootPublic,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer, subject: issuer,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                rootIdentifier
            },
            issuerPrivateKey: Certificate.PrivateKey(rootKey))

        func leaf(_ name: String, _ key: P256.Signing.PrivateKey, timeStamping: Bool) throws -> Certificate {
            let publicKey = Certificate.PublicKey(key.publicKey)
            return try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer,
                subject: try DistinguishedName {
                    CountryName("GE")
                    OrganizationName("Civitas Test")
                    CommonName(name)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, nonRepudiation: !timeStamping))
                    if timeStamping { Critical(try ExtendedKeyUsage([.timeStamping])) }
                    SubjectKeyIdentifier(hash: publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: rootIdentifier.keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey))
        }

        let tsaKey = P256.Signing.PrivateKey()
        let clientKey = P256.Signing.PrivateKey()
        let providerKey = P256.Signing.PrivateKey()
        return MessageLogTestPKI(
            rootKey: rootKey, root: root,
            tsaKey: tsaKey, tsa: try leaf("Civitas Exchange Test TSA", tsaKey, timeStamping: true),
            clientKey: clientKey, client: try leaf("GOV 70000001 e-seal", clientKey, timeStamping: false),
            providerKey: providerKey, provider: try leaf("GOV 70000002 e-seal", providerKey, timeStamping: false))
    }

    static let shared: MessageLogTestPKI = try! make()

    /// A TSA over this PKI, in process.
    func authority() throws -> TimeStampAuthority {
        try TimeStampAuthority(
            key: Certificate.PrivateKey(tsaKey), certificate: tsa, chain: [root], policy: [2, 999, 20, 1],
            accuracy: TimeStampAccuracy(seconds: 1), serialNumbers: { TimeStampRequest.randomNonce() })
    }

    /// A CAdES B-B e-seal over `headers` by the client's or the provider's node.
    func seal(_ headers: [UInt8], byProvider: Bool) async throws -> [UInt8] {
        try await CAdESSigner().sign(
            headers, key: Certificate.PrivateKey(byProvider ? providerKey : clientKey),
            certificate: byProvider ? provider : client, chain: [root], level: .basic)
    }
}
