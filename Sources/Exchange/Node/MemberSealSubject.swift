public import CivitasCore
public import SwiftASN1
import Trust
public import X509

/// How a member's e-seal certificate names the member: the subject's organizationIdentifier (X.520, 2.5.4.97)
/// holds the member's identifier in its X-Road form, `INSTANCE/CLASS/MEMBER`, beside the organisation's name.
///
/// The organisations CA issues a seal certificate only to the organisation it names, so a node that finds a
/// member's identifier there, under a chain to the national root, knows which member sealed a message.
public enum MemberSealSubject {
    /// organizationIdentifier.
    public static let organizationIdentifier: ASN1ObjectIdentifier = [2, 5, 4, 97]

    /// The subject for `member`'s seal certificate.
    public static func name(member: XRoadClientIdentifier, organisation: String) throws -> DistinguishedName {
        try DistinguishedName([
            RelativeDistinguishedName(
                RelativeDistinguishedName.Attribute(type: .RDNAttributeType.countryName, printableString: "CV")),
            RelativeDistinguishedName(
                RelativeDistinguishedName.Attribute(type: .RDNAttributeType.organizationName, utf8String: organisation)),
            RelativeDistinguishedName(
                RelativeDistinguishedName.Attribute(type: organizationIdentifier, utf8String: member.description)),
            RelativeDistinguishedName(
                RelativeDistinguishedName.Attribute(
                    type: .RDNAttributeType.commonName, utf8String: "\(organisation) exchange seal")),
        ])
    }

    /// The member a certificate names, if it names exactly one.
    public static func member(of certificate: Certificate) -> XRoadClientIdentifier? {
        let values = certificate.subject.flatMap { $0 }.filter { $0.type == organizationIdentifier }
        guard values.count == 1, let text = String(values[0].value),
            let member = try? XRoadClientIdentifier(text), !member.isSubsystem
        else { return nil }
        return member
    }

    /// The seal's CMS structure, and the certificate that made it (its only signer) with that certificate's DER as
    /// the seal carries it, if it does.
    static func signer(of seal: MessageSeal) -> (signedData: CMSSignedData, certificate: Certificate, der: [UInt8])? {
        guard let signedData = try? CMSSignedData(contentInfoDER: seal.signature), signedData.signerInfos.count == 1
        else { return nil }
        for der in signedData.certificates {
            guard let certificate = try? ParsedCertificates.certificate(der),
                signedData.signerInfos[0].signerIdentifier.matches(certificate)
            else { continue }
            return (signedData, certificate, der)
        }
        return nil
    }
}
