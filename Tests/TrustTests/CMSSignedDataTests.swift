import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import Trust

@Suite("CMS SignedData")
struct CMSSignedDataTests {
    let pki = TrustTestPKI.shared
    let document = Array("Civitas: the state's registries, one portal.".utf8)

    func tsaSigner() throws -> CMSSigner {
        try CMSSigner(key: Certificate.PrivateKey(pki.tsaKey), certificate: pki.tsa)
    }

    func documentSigner() throws -> CMSSigner {
        try CMSSigner(key: Certificate.PrivateKey(pki.signerKey), certificate: pki.signer)
    }

    func edSigner() throws -> CMSSigner {
        try CMSSigner(key: Certificate.PrivateKey(pki.edKey), certificate: pki.edSigner)
    }

    /// Whether the children of a DER SET are in X.690 11.6 order.
    func isSortedSet(_ node: ASN1Node) -> Bool {
        guard case .constructed(let children) = node.content else { return false }
        let encodings = children.map { Array($0.encodedBytes) }
        return zip(encodings, encodings.dropFirst()).allSatisfy { !DERWriter.setOfLess($1, $0) }
    }

    /// The fields of the SignedData inside a ContentInfo, as raw nodes.
    func signedDataFields(_ contentInfo: [UInt8]) throws -> [ASN1Node] {
        let root = try DER.parse(contentInfo)
        guard case .constructed(let outer) = root.content else { throw CMSError(.malformed, "not constructed") }
        let wrapper = Array(outer)[1]
        guard case .constructed(let inner) = wrapper.content,
            case .constructed(let fields) = Array(inner)[0].content
        else { throw CMSError(.malformed, "not constructed") }
        return Array(fields)
    }

    @Test("an encapsulated signature reads back with its content, certificates and signed attributes")
    func encapsulatedRoundTrip() async throws {
        let builder = CMSSignedDataBuilder(signers: [try documentSigner()], certificates: [pki.signer, pki.root])
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        let encoded = try await builder.sign(document, signingTime: time)
        let signedData = try CMSSignedData(contentInfoDER: encoded)

        #expect(signedData.version == 1)
        #expect(signedData.contentType == .CMS.data)
        #expect(signedData.content == document)
        #expect(signedData.digestAlgorithms == [CMSDigestAlgorithm.sha384.algorithmIdentifier])
        #expect(Set(try signedData.parsedCertificates()) == [pki.signer, pki.root])
        #expect(signedData.signerInfos.count == 1)

        let signer = signedData.signerInfos[0]
        #expect(signer.version == 1)
        #expect(signer.signerIdentifier == CMSSignerIdentifier(issuerAndSerialNumberOf: pki.signer))
        #expect(try signer.contentType == .CMS.data)
        #expect(try signer.messageDigest == Array(SHA384.hash(data: document)))
        #expect(try signer.signingTime == time)
        let ess = try #require(try signer.signingCertificateV2)
        #expect(ess.certificates.count == 1)
        #expect(ess.certificates[0].certificateHash == Array(SHA256.hash(data: TrustTestPKI.der(pki.signer))))
        #expect(ess.certificates[0].matches(pki.signer))
        #expect(!ess.certificates[0].matches(pki.tsa))
        #expect(signer.isValidSignature(publicKey: pki.signer.publicKey))
        #expect(!signer.isValidSignature(publicKey: pki.tsa.publicKey))
        #expect(try signedData.certificate(of: signer) == pki.signer)
    }

    @Test("a detached signature leaves the content out but digests it")
    func detached() async throws {
        let builder = CMSSignedDataBuilder(signers: [try tsaSigner()], certificates: [pki.tsa])
        let signedData = try CMSSignedData(contentInfoDER: try await builder.sign(document, detached: true))
        #expect(signedData.content == nil)
        let signer = try #require(signedData.signerInfos.first)
        #expect(try signer.messageDigest == Array(SHA256.hash(data: document)))
        #expect(try signer.signingTime == nil)
        #expect(signer.isValidSignature(publicKey: pki.tsa.publicKey))
    }

    @Test("the signature verifies with swift-crypto over the signed attributes as a DER SET")
    func signatureVerifiesWithSwiftCrypto() async throws {
        let builder = CMSSignedDataBuilder(signers: [try tsaSigner()])
        let signedData = try CMSSignedData(contentInfoDER: try await builder.sign(document))
        let signer = try #require(signedData.signerInfos.first)
        let signedAttributes = try #require(signer.signedAttributesDER)
        #expect(signedAttributes.first == 0x31)
        let signature = try P256.Signing.ECDSASignature(derRepresentation: signer.signature)
        #expect(pki.tsaKey.publicKey.isValidSignature(signature, for: signedAttributes))
        var tampered = signedAttributes
        tampered[tampered.count - 1] ^= 1
        #expect(!pki.tsaKey.publicKey.isValidSignature(signature, for: tampered))
        // In the SignerInfo the same SET is stored [0] IMPLICIT.
        #expect(signer.derEncoded.contains(subsequence: [0xA0] + signedAttributes.dropFirst()))
    }

    @Test("several signers: one SignerInfo each, digest algorithms once each, every signature valid")
    func multipleSigners() async throws {
        let signers = [try tsaSigner(), try documentSigner(), try edSigner(), try tsaSigner()]
        let builder = CMSSignedDataBuilder(signers: signers, certificates: [pki.tsa, pki.signer, pki.edSigner])
        let encoded = try await builder.sign(document, signingTime: Date())
        let signedData = try CMSSignedData(contentInfoDER: encoded)
        #expect(signedData.signerInfos.count == 4)
        #expect(
            Set(signedData.digestAlgorithms.compactMap(CMSDigestAlgorithm.init)) == [.sha256, .sha384, .sha512]
        )
        #expect(signedData.digestAlgorithms.count == 3)
        for signer in signedData.signerInfos {
            let certificate = try #require(try signedData.certificate(of: signer))
            #expect(signer.isValidSignature(publicKey: certificate.publicKey))
            let algorithm = try #require(CMSDigestAlgorithm(signer.digestAlgorithm))
            #expect(try signer.messageDigest == algorithm.hash(document))
        }
    }

    @Test("every SET OF is sorted by encoding: digest algorithms, certificates, signer infos, attributes")
    func setsAreSorted() async throws {
        let signers = [try tsaSigner(), try documentSigner(), try edSigner()]
        let builder = CMSSignedDataBuilder(signers: signers, certificates: [pki.tsa, pki.signer, pki.root])
        let extra = try CMSAttribute(
            type: [1, 2, 3, 4],
            values: [ASN1Any(erasing: ASN1UTF8String("zeta")), ASN1Any(erasing: ASN1UTF8String("alpha"))]
        )
        let unsigned = try CMSAttribute(type: [1, 2, 3, 5], value: ASN1OctetString(contentBytes: [1, 2, 3]))
        let encoded = try await builder.sign(
            document,
            signingTime: Date(),
            signedAttributes: [extra],
            unsignedAttributes: [unsigned]
        )
        let fields = try signedDataFields(encoded)
        #expect(fields.count == 5)
        #expect(isSortedSet(fields[1]))  // digestAlgorithms
        #expect(fields[3].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
        #expect(isSortedSet(fields[3]))  // certificates
        #expect(isSortedSet(fields[4]))  // signerInfos
        guard case .constructed(let signerInfos) = fields[4].content else {
            Issue.record("signerInfos is not constructed")
            return
        }
        for signerInfo in signerInfos {
            guard case .constructed(let signerFields) = signerInfo.content else { continue }
            let parts = Array(signerFields)
            let signedAttributes = parts[3]
            #expect(signedAttributes.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
            #expect(isSortedSet(signedAttributes))
            #expect(isSortedSet(try #require(parts.last)))  // unsignedAttrs
            guard case .constructed(let attributes) = signedAttributes.content else { continue }
            for attribute in attributes {
                guard case .constructed(let attributeFields) = attribute.content else { continue }
                #expect(isSortedSet(Array(attributeFields)[1]))  // attrValues
            }
        }
    }

    @Test("the X.690 SET OF order pads the shorter encoding with zeros")
    func setOfOrdering() {
        #expect(DERWriter.setOfLess([0x30, 0x01], [0x30, 0x02]))
        #expect(DERWriter.setOfLess([0x02, 0x01, 0x05], [0x04, 0x00]))
        #expect(DERWriter.setOfLess([0x01], [0x01, 0x01]))
        #expect(!DERWriter.setOfLess([0x01], [0x01, 0x00]))
        #expect(!DERWriter.setOfLess([0x01, 0x00], [0x01]))
        let sorted = DERWriter.sortedForSetOf([[0x31, 0x00], [0x04, 0x01, 0xFF], [0x02, 0x01, 0x00]])
        #expect(sorted == [[0x02, 0x01, 0x00], [0x04, 0x01, 0xFF], [0x31, 0x00]])
    }

    @Test("a decoded SignedData encodes back to the same bytes")
    func reencodingIsExact() async throws {
        let builder = CMSSignedDataBuilder(signers: [try documentSigner(), try tsaSigner()], certificates: [pki.root])
        let encoded = try await builder.sign(document, signingTime: Date())
        let signedData = try CMSSignedData(contentInfoDER: encoded)
        #expect(signedData.contentInfoDER == encoded)
        #expect(try CMSSignedData(derEncoded: signedData.derEncoded) == signedData)
    }

    @Test("adding an unsigned signature-time-stamp attribute keeps the signature valid")
    func unsignedAttributeAddedLater() async throws {
        let builder = CMSSignedDataBuilder(signers: [try documentSigner()], certificates: [pki.signer])
        var signedData = try await builder.signedData(document, signingTime: Date())
        let before = signedData.signerInfos[0]
        let fakeToken = try await CMSSignedDataBuilder(signers: [try tsaSigner()], contentType: .CMS.tstInfo)
            .sign([0x30, 0x00])
        signedData.signerInfos[0].unsignedAttributes.append(
            try CMSAttribute(type: .CMS.signatureTimeStampToken, valueDER: fakeToken)
        )
        let reread = try CMSSignedData(contentInfoDER: signedData.contentInfoDER)
        let after = reread.signerInfos[0]
        #expect(after.signedAttributesDER == before.signedAttributesDER)
        #expect(after.signature == before.signature)
        #expect(after.isValidSignature(publicKey: pki.signer.publicKey))
        let attribute = try #require(after.unsignedAttribute(.CMS.signatureTimeStampToken))
        #expect(attribute.valueEncodings == [fakeToken])
        #expect(after.derEncoded.count > before.derEncoded.count)
    }

    @Test("versions follow RFC 5652 5.1: 1 for id-data, 3 for other content or a key-identifier signer")
    func versions() async throws {
        let data = try CMSSignedData(
            contentInfoDER: try await CMSSignedDataBuilder(signers: [try tsaSigner()]).sign(document)
        )
        #expect(data.version == 1)
        let tst = try CMSSignedData(
            contentInfoDER: try await CMSSignedDataBuilder(signers: [try tsaSigner()], contentType: .CMS.tstInfo)
                .sign(document)
        )
        #expect(tst.version == 3)
        #expect(tst.contentType == .CMS.tstInfo)
        let keyIdentified = try CMSSigner(
            key: Certificate.PrivateKey(pki.tsaKey),
            certificate: pki.tsa,
            identifiedBy: .subjectKeyIdentifier
        )
        let ski = try CMSSignedData(
            contentInfoDER: try await CMSSignedDataBuilder(signers: [keyIdentified], certificates: [pki.tsa])
                .sign(document)
        )
        #expect(ski.version == 3)
        #expect(ski.signerInfos[0].version == 3)
        guard case .subjectKeyIdentifier = ski.signerInfos[0].signerIdentifier else {
            Issue.record("expected a subject key identifier")
            return
        }
        #expect(try ski.certificate(of: ski.signerInfos[0]) == pki.tsa)
        #expect(ski.signerInfos[0].isValidSignature(publicKey: pki.tsa.publicKey))
    }

    @Test("signing-certificate-v2 leaves out a SHA-256 hash algorithm (its DEFAULT) and writes any other")
    func essDefaultAlgorithm() throws {
        let sha256 = ESSSigningCertificateV2(certificates: [.init(certificate: pki.tsa)])
        let sha512 = ESSSigningCertificateV2(certificates: [.init(certificate: pki.tsa, hashAlgorithm: .sha512)])
        // SEQUENCE { SEQUENCE OF { SEQUENCE { OCTET STRING ... } } }: the first field is the hash itself.
        let encoded256 = sha256.derEncoded
        let certID256 = try DER.parse(encoded256)
        guard case .constructed(let certs) = certID256.content,
            case .constructed(let ids) = Array(certs)[0].content,
            case .constructed(let fields) = Array(ids)[0].content
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(Array(fields)[0].identifier == .octetString)
        #expect(try ESSSigningCertificateV2(derEncoded: encoded256) == sha256)
        #expect(try ESSSigningCertificateV2(derEncoded: sha512.derEncoded) == sha512)
        #expect(sha512.derEncoded.count > encoded256.count)
        #expect(sha512.certificates[0].matches(pki.tsa))
    }

    @Test("malformed SignedData is a malformed error, never a crash")
    func malformedInput() async throws {
        let encoded = try await CMSSignedDataBuilder(signers: [try tsaSigner()]).sign(document)
        let bad: [[UInt8]] = [
            [], [0x30], Array(encoded.dropLast()), encoded + [0], [0x30, 0x80, 0x00, 0x00],
            Array(repeating: 0xFF, count: 40),
        ]
        for bytes in bad {
            #expect(throws: CMSError.self) { try CMSSignedData(contentInfoDER: bytes) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var mutated = encoded
            mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            _ = try? CMSSignedData(contentInfoDER: mutated)
        }
    }

    @Test("the builder refuses caller attributes it writes itself, and keys that do not fit the certificate")
    func refusals() async throws {
        let builder = CMSSignedDataBuilder(signers: [try tsaSigner()])
        let duplicate = try CMSAttribute(type: .CMS.contentType, value: ASN1ObjectIdentifier.CMS.data)
        await #expect(throws: CMSError.self) { try await builder.sign(document, signedAttributes: [duplicate]) }
        #expect(throws: CMSError.self) {
            try CMSSigner(key: Certificate.PrivateKey(pki.signerKey), certificate: pki.tsa)
        }
        #expect(throws: CMSError.self) {
            try CMSSigner(
                key: Certificate.PrivateKey(pki.edKey),
                certificate: pki.edSigner,
                signatureAlgorithm: .ecdsaWithSHA256
            )
        }
    }

    @Test("civil time conversion agrees with Foundation's calendar, and signing-time picks UTCTime until 2049")
    func civilTime() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // From 1600: before the 1582 reform Foundation's calendar is Julian, DER's is proleptic Gregorian.
            let seconds = Double(Int64.random(in: -11_000_000_000...250_000_000_000, using: &generator))
            let date = Date(timeIntervalSince1970: seconds)
            let fields = DERTime.components(of: date)
            let expected = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            #expect(fields.year == expected.year && fields.month == expected.month && fields.day == expected.day)
            #expect(
                fields.hour == expected.hour && fields.minute == expected.minute && fields.second == expected.second)
            #expect(DERTime.date(fields) == date)
        }
        let in2049 = try DERTime.signingTime(Date(timeIntervalSince1970: 2_524_607_999))  // 2049-12-31T23:59:59Z
        #expect(in2049 == [0x17, 13] + Array("491231235959Z".utf8))
        let in2050 = try DERTime.signingTime(Date(timeIntervalSince1970: 2_524_608_000))
        #expect(in2050 == [0x18, 15] + Array("20500101000000Z".utf8))
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains {
            self[$0..<($0 + subsequence.count)].elementsEqual(subsequence)
        }
    }
}
