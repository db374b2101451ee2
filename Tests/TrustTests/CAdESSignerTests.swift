import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import Trust

@Suite("CAdES signatures: enveloping, several signers, digests, time-stamp sources")
struct CAdESSignerTests {
    let pki = TrustTestPKI.shared
    let document = Array("The applicant consents to the transfer of the land parcel 01.10.23.456.".utf8)

    var tsa: TimeStampAuthority {
        get throws {
            try TimeStampAuthority(
                key: Certificate.PrivateKey(pki.tsaKey), certificate: pki.tsa, chain: [pki.root],
                policy: [2, 999, 1, 100], accuracy: TimeStampAccuracy(seconds: 1),
                serialNumbers: { Array(TimeStampRequest.randomNonce()) })
        }
    }

    var p384: CAdESSigner.Signer {
        CAdESSigner.Signer(key: Certificate.PrivateKey(pki.signerKey), certificate: pki.signer, chain: [pki.root])
    }

    var ed25519: CAdESSigner.Signer {
        CAdESSigner.Signer(key: Certificate.PrivateKey(pki.edKey), certificate: pki.edSigner, chain: [pki.root])
    }

    /// Each SignerInfo's signature verifies with its certificate from the message, and its digest is `content`'s.
    func expectValid(_ signedData: CMSSignedData, over content: [UInt8]) throws {
        for signerInfo in signedData.signerInfos {
            let certificate = try #require(try signedData.certificate(of: signerInfo))
            #expect(signerInfo.isValidSignature(publicKey: certificate.publicKey))
            let algorithm = try #require(CMSDigestAlgorithm(signerInfo.digestAlgorithm))
            #expect(try signerInfo.messageDigest == algorithm.hash(content))
        }
    }

    /// The encodings of the SET OF elements of `signedData`'s fields, as written.
    func isSortedSet(_ elements: [[UInt8]]) -> Bool {
        zip(elements, elements.dropFirst()).allSatisfy { !DERWriter.setOfLess($1, $0) }
    }

    @Test("an enveloping signature carries the document and verifies")
    func enveloping() async throws {
        let der = try await CAdESSigner().sign(document, signers: [p384], level: .basic, enveloping: true)
        let signedData = try CMSSignedData(contentInfoDER: der)
        #expect(signedData.content == document)
        #expect(signedData.signerInfos.count == 1)
        try expectValid(signedData, over: document)
        let detached = try CMSSignedData(
            contentInfoDER: try await CAdESSigner().sign(document, signers: [p384], level: .basic))
        #expect(detached.content == nil)
    }

    @Test("two signers at once: both verify, digest algorithms and certificates merged, every SET OF sorted")
    func twoSignersAtOnce() async throws {
        let der = try await CAdESSigner().sign(
            document, signers: [p384, ed25519], level: .timestamped, timeStamping: try tsa)
        let signedData = try CMSSignedData(contentInfoDER: der)
        #expect(signedData.signerInfos.count == 2)
        try expectValid(signedData, over: document)
        #expect(Set(signedData.digestAlgorithms.compactMap(CMSDigestAlgorithm.init)) == [.sha384, .sha512])
        // The root appears once although both signers carry it.
        #expect(signedData.certificates.count == 3)
        #expect(isSortedSet(signedData.certificates))
        #expect(isSortedSet(signedData.signerInfos.map(\.derEncoded)))
        #expect(isSortedSet(signedData.digestAlgorithms.map(\.derEncoded)))
        for signerInfo in signedData.signerInfos {
            let attribute = try #require(signerInfo.unsignedAttribute(.CMS.signatureTimeStampToken))
            let token = try TimeStampToken(derEncoded: try #require(attribute.valueEncodings.first))
            #expect(token.info.hashedMessage == Array(SHA256.hash(data: signerInfo.signature)))
        }
        // What we wrote is DER: decoding and encoding again changes nothing.
        #expect(signedData.contentInfoDER == der)
    }

    @Test("a parallel signer added to a B-T signature leaves the first SignerInfo byte-identical")
    func parallelSigner() async throws {
        let first = try await CAdESSigner().sign(document, signers: [p384], level: .timestamped, timeStamping: try tsa)
        let original = try CMSSignedData(contentInfoDER: first)
        let originalSignerInfo = original.signerInfos[0].derEncoded

        let both = try await CAdESSigner().addSigner(
            ed25519, to: first, document: document, level: .timestamped, timeStamping: try tsa)
        let merged = try CMSSignedData(contentInfoDER: both)
        #expect(merged.signerInfos.count == 2)
        #expect(merged.content == nil)
        try expectValid(merged, over: document)
        #expect(merged.signerInfos.map(\.derEncoded).contains(originalSignerInfo))
        #expect(both.firstRange(of: originalSignerInfo) != nil, "the original bytes appear unchanged")
        #expect(Set(merged.digestAlgorithms.compactMap(CMSDigestAlgorithm.init)) == [.sha384, .sha512])
        #expect(merged.certificates.count == 3, "the shared root is not duplicated")
        #expect(isSortedSet(merged.certificates))
        #expect(isSortedSet(merged.signerInfos.map(\.derEncoded)))
        let added = try #require(merged.signerInfos.first { $0.derEncoded != originalSignerInfo })
        #expect(added.unsignedAttribute(.CMS.signatureTimeStampToken) != nil)
    }

    @Test("co-signing an enveloping signature needs no document, and keeps the content inside")
    func parallelSignerEnveloping() async throws {
        let first = try await CAdESSigner().sign(document, signers: [ed25519], level: .basic, enveloping: true)
        let both = try await CAdESSigner().addSigner(p384, to: first, level: .basic)
        let merged = try CMSSignedData(contentInfoDER: both)
        #expect(merged.content == document)
        #expect(merged.signerInfos.count == 2)
        try expectValid(merged, over: document)
    }

    @Test("co-signing refuses a missing or different document and bytes that are not a SignedData")
    func parallelSignerRefusals() async throws {
        let detached = try await CAdESSigner().sign(document, signers: [p384], level: .basic)
        let missing = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().addSigner(ed25519, to: detached, level: .basic)
        }
        #expect(missing?.code == .invalidSignatureInput)
        let other = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().addSigner(ed25519, to: detached, document: Array("forged".utf8), level: .basic)
        }
        #expect(other?.code == .invalidSignatureInput)
        let enveloping = try await CAdESSigner().sign(document, signers: [p384], level: .basic, enveloping: true)
        let mismatch = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().addSigner(
                ed25519, to: enveloping, document: Array("forged".utf8), level: .basic)
        }
        #expect(mismatch?.code == .invalidSignatureInput)
        let garbage = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().addSigner(
                ed25519, to: [0x30, 0x03, 0x02, 0x01, 0x01], document: document, level: .basic)
        }
        #expect(garbage?.code == .invalidSignatureInput)
    }

    @Test(
        "a signature over a digest has that digest as its message digest, with the matching hash",
        arguments: [
            CMSDigestAlgorithm.sha256, .sha384, .sha512,
        ])
    func digest(algorithm: CMSDigestAlgorithm) async throws {
        let digest = algorithm.hash(document)
        let der = try await CAdESSigner().sign(
            digest: digest, algorithm: algorithm, signer: p384, level: .timestamped, timeStamping: try tsa)
        let signedData = try CMSSignedData(contentInfoDER: der)
        #expect(signedData.content == nil)
        let signerInfo = try #require(signedData.signerInfos.first)
        #expect(CMSDigestAlgorithm(signerInfo.digestAlgorithm) == algorithm)
        #expect(try signerInfo.messageDigest == digest)
        try expectValid(signedData, over: document)
        #expect(signerInfo.unsignedAttribute(.CMS.signatureTimeStampToken) != nil)
    }

    @Test("a digest of the wrong length, or one the key cannot sign, is refused")
    func digestRefusals() async throws {
        let short = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().sign(
                digest: Array(repeating: 1, count: 31), algorithm: .sha256, signer: p384, level: .basic)
        }
        #expect(short?.code == .invalidSignatureInput)
        let long = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().sign(
                digest: CMSDigestAlgorithm.sha512.hash(document), algorithm: .sha384, signer: p384, level: .basic)
        }
        #expect(long?.code == .invalidSignatureInput)
        // Ed25519 signs with SHA-512 only (RFC 8419).
        let ed = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().sign(
                digest: CMSDigestAlgorithm.sha256.hash(document), algorithm: .sha256, signer: ed25519, level: .basic)
        }
        #expect(ed?.code == .invalidSignatureInput)
    }

    struct Unreachable: TimeStampSource {
        struct Down: Error {}
        func reply(to query: [UInt8]) async throws -> [UInt8] { throw Down() }
    }

    struct Garbage: TimeStampSource {
        func reply(to query: [UInt8]) async throws -> [UInt8] { [0x30, 0x00] }
    }

    /// A real TSA asked about something else than what the signer asked for.
    struct Substituting: TimeStampSource {
        let authority: TimeStampAuthority
        let query: [UInt8]
        func reply(to _: [UInt8]) async throws -> [UInt8] { try await authority.reply(to: query) }
    }

    @Test("B-T needs a source, and an unreachable, garbled, refusing or mismatched TSA is a clear error")
    func timeStampFailures() async throws {
        let none = await #expect(throws: TrustError.self) {
            _ = try await CAdESSigner().sign(document, signers: [p384], level: .timestamped)
        }
        #expect(none?.code == .invalidRequest)
        let cases: [(any TimeStampSource, TrustError.Code)] = [
            (Unreachable(), .timeStampUnavailable),
            (Garbage(), .timeStampUnavailable),
            // A SHA-256 imprint of 3 bytes: the real TSA answers with a rejection.
            (Substituting(authority: try tsa, query: TimeStampRequest.make(digest: [1, 2, 3])), .timeStampRefused),
            // A granted token, but over another imprint.
            (
                Substituting(authority: try tsa, query: TimeStampRequest.make(digest: Array(SHA256.hash(data: [1])))),
                .timeStampRefused
            ),
        ]
        for (source, code) in cases {
            let error = await #expect(throws: TrustError.self) {
                _ = try await CAdESSigner().sign(document, signers: [p384], level: .timestamped, timeStamping: source)
            }
            #expect(error?.code == code)
        }
    }
}
