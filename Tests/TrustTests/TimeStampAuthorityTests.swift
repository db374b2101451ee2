import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import Trust

@Suite("RFC 3161 time-stamp authority")
struct TimeStampAuthorityTests {
    let pki = TrustTestPKI.shared
    static let policy: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 99_999, 3161, 1]
    let digest = Array(SHA256.hash(data: Array("the civil register, 2026".utf8)))
    let now = Date(timeIntervalSince1970: 1_798_000_000.123_456)

    func authority(
        accuracy: TimeStampAccuracy? = TimeStampAccuracy(millis: 1),
        includesTSAName: Bool = true,
        serials: TestSerialCounter = TestSerialCounter()
    ) throws -> TimeStampAuthority {
        try TimeStampAuthority(
            key: Certificate.PrivateKey(pki.tsaKey),
            certificate: pki.tsa,
            chain: [pki.root],
            policy: Self.policy,
            accuracy: accuracy,
            includesTSAName: includesTSAName,
            serialNumbers: { await serials.take() }
        )
    }

    func granted(_ responseDER: [UInt8]) throws -> TimeStampResponse {
        let response = try TimeStampResponse(derEncoded: responseDER)
        #expect(response.status == .granted)
        #expect(response.failureInfo.isEmpty)
        return response
    }

    func rejection(_ responseDER: [UInt8]) throws -> TimeStampResponse {
        let response = try TimeStampResponse(derEncoded: responseDER)
        #expect(response.status == .rejection)
        #expect(response.token == nil)
        #expect(!response.statusStrings.isEmpty)
        return response
    }

    // MARK: - Granted

    @Test("a request is granted with a token over its imprint, nonce, policy, serial and time")
    func grantedRoundTrip() async throws {
        let tsa = try authority()
        let nonce: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]
        let request = TimeStampRequest.make(digest: digest, nonce: nonce, certReq: true)
        let response = try granted(await tsa.respond(to: request, at: now))
        let token = try #require(response.token)
        let info = token.info
        #expect(info.version == 1)
        #expect(info.policy == Self.policy)
        #expect(CMSDigestAlgorithm(info.hashAlgorithm) == .sha256)
        #expect(info.hashedMessage == digest)
        #expect(info.nonce == nonce)
        #expect(info.serialNumber == [1])
        #expect(info.accuracy == TimeStampAccuracy(millis: 1))
        #expect(info.ordering == false)
        #expect(info.tsaName == .directoryName(pki.tsa.subject))
        #expect(abs(info.genTime.timeIntervalSince(now)) < 0.001)
        #expect(token.signedData.contentType == .CMS.tstInfo)
        #expect(token.signedData.version == 3)
        try token.verifySignature(certificate: pki.tsa)
        #expect(throws: TimeStampError.self) { try token.verifySignature(certificate: pki.signer) }
        #expect(try token.signerCertificate() == pki.tsa)
    }

    @Test("the token's signature checks out with swift-crypto alone")
    func tokenSignatureWithSwiftCrypto() async throws {
        let tsa = try authority()
        let response = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest), at: now))
        let signedData = try #require(response.token).signedData
        let signer = try #require(signedData.signerInfos.first)
        let content = try #require(signedData.content)
        #expect(try signer.messageDigest == Array(SHA256.hash(data: content)))
        let ess = try #require(try signer.signingCertificateV2)
        #expect(ess.certificates.first?.certificateHash == Array(SHA256.hash(data: TrustTestPKI.der(pki.tsa))))
        let signedAttributes = try #require(signer.signedAttributesDER)
        let signature = try P256.Signing.ECDSASignature(derRepresentation: signer.signature)
        #expect(pki.tsaKey.publicKey.isValidSignature(signature, for: signedAttributes))
        var forged = content
        forged[forged.count - 1] ^= 0x01
        #expect(try signer.messageDigest != Array(SHA256.hash(data: forged)))
    }

    @Test("SHA-384 and SHA-512 imprints are granted and copied as sent")
    func otherDigests() async throws {
        let tsa = try authority()
        for algorithm in [CMSDigestAlgorithm.sha384, .sha512] {
            let imprint = algorithm.hash(Array("data".utf8))
            let response = try granted(
                await tsa.respond(to: TimeStampRequest.make(digest: imprint, hashAlgorithm: algorithm), at: now)
            )
            #expect(CMSDigestAlgorithm(try #require(response.tokenInfo).hashAlgorithm) == algorithm)
            #expect(response.tokenInfo?.hashedMessage == imprint)
        }
    }

    @Test("an imprint whose algorithm has NULL parameters is copied with them")
    func imprintCopiedVerbatim() async throws {
        let withNull: [UInt8] =
            [
                0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                0x04, 0x20,
            ]
            + digest
        let request = DERWriter.tlv(0x30, DERWriter.integer(1), withNull)
        let response = try granted(await authority().respond(to: request, at: now))
        let info = try #require(response.tokenInfo)
        #expect(info.hashAlgorithm.parameters != nil)
        #expect(info.hashedMessage == digest)
    }

    @Test("certReq brings the TSA certificate and its chain; without it there are no certificates")
    func certificatesOnlyWhenRequested() async throws {
        let tsa = try authority()
        let with = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest, certReq: true), at: now))
        #expect(Set(try #require(with.token).signedData.parsedCertificates()) == [pki.tsa, pki.root])
        let without = try granted(
            await tsa.respond(to: TimeStampRequest.make(digest: digest, certReq: false), at: now)
        )
        #expect(try #require(without.token).signedData.certificates.isEmpty)
        #expect(try without.token?.signerCertificate() == nil)
        try without.token?.verifySignature(certificate: pki.tsa)
    }

    @Test("the nonce is echoed exactly, up to 64 bytes, and absent when not sent")
    func nonceEcho() async throws {
        let tsa = try authority()
        for nonce: [UInt8] in [
            [0x00], [0x7F], [0x00, 0x80], Array(repeating: 0x5A, count: 20), Array(repeating: 0x11, count: 64),
        ] {
            let request = TimeStampRequest.make(digest: digest, nonce: nonce)
            let parsed = try TimeStampRequest(derEncoded: request)
            let response = try granted(await tsa.respond(to: request, at: now))
            #expect(response.tokenInfo?.nonce == parsed.nonce)
        }
        let none = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest, nonce: nil), at: now))
        #expect(none.tokenInfo?.nonce == nil)
        let random = TimeStampRequest.randomNonce()
        let echoed = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest, nonce: random), at: now))
        #expect(echoed.tokenInfo?.nonce == Array(random.drop { $0 == 0 }))
    }

    @Test("serial numbers are unique and increase with the source, also under concurrency")
    func serialNumbers() async throws {
        let tsa = try authority()
        var previous: UInt64 = 0
        for _ in 0..<20 {
            let response = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest), at: now))
            let serial = try #require(response.tokenInfo).serialNumber
            let value = serial.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(value > previous)
            previous = value
        }
        let serials = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try TimeStampResponse(
                        derEncoded: await tsa.respond(to: TimeStampRequest.make(digest: digest), at: now)
                    )
                    .tokenInfo?.serialNumber ?? []
                }
            }
            var all: [[UInt8]] = []
            for try await serial in group { all.append(serial) }
            return all
        }
        #expect(Set(serials).count == 200)
        #expect(!serials.contains([]))
    }

    @Test("a requested policy equal to the authority's is granted")
    func matchingPolicy() async throws {
        let request = TimeStampRequest.make(digest: digest, policy: Self.policy)
        let response = try granted(await authority().respond(to: request, at: now))
        #expect(response.tokenInfo?.policy == Self.policy)
    }

    @Test("genTime carries as many fraction digits as the accuracy needs, without trailing zeros")
    func genTimeFraction() async throws {
        let cases: [(TimeStampAccuracy?, Double, String)] = [
            (TimeStampAccuracy(millis: 1), 0.123_456, "20261224044320.123Z"),
            (TimeStampAccuracy(millis: 500), 0.120_000, "20261224044320.12Z"),
            (TimeStampAccuracy(millis: 1), 0.000_400, "20261224044320Z"),
            (TimeStampAccuracy(micros: 100), 0.123_456, "20261224044320.123456Z"),
            (TimeStampAccuracy(micros: 100), 0.5, "20261224044320.5Z"),
            (TimeStampAccuracy(seconds: 1), 0.999, "20261224044320Z"),
            (nil, 0.5, "20261224044320Z"),
        ]
        for (accuracy, fraction, expected) in cases {
            let time = Date(timeIntervalSince1970: 1_798_087_400 + fraction)
            let tsa = try authority(accuracy: accuracy)
            let response = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest), at: time))
            let content = try #require(response.token?.signedData.content)
            let expectedTLV = [UInt8(0x18), UInt8(expected.utf8.count)] + Array(expected.utf8)
            #expect(content.contains(subsequence: expectedTLV), "\(expected)")
            #expect(response.tokenInfo?.accuracy == accuracy)
        }
    }

    @Test("the TSA name can be left out")
    func withoutTSAName() async throws {
        let response = try granted(
            await authority(includesTSAName: false).respond(to: TimeStampRequest.make(digest: digest), at: now)
        )
        #expect(response.tokenInfo?.tsaName == nil)
    }

    @Test("an explicit certReq FALSE is accepted as the default it means")
    func explicitCertReqFalse() async throws {
        let request = DERWriter.tlv(
            0x30,
            DERWriter.integer(1),
            DERWriter.tlv(
                0x30, CMSDigestAlgorithm.sha256.algorithmIdentifier.derEncoded, DERWriter.octetString(digest)),
            [0x01, 0x01, 0x00]
        )
        #expect(try TimeStampRequest(derEncoded: request).certReq == false)
        _ = try granted(await authority().respond(to: request, at: now))
    }

    // MARK: - Rejected

    /// A TimeStampReq from raw parts, to build the bad ones.
    func request(
        version: [UInt8] = [0x02, 0x01, 0x01],
        algorithm: [UInt8] = CMSDigestAlgorithm.sha256.algorithmIdentifier.derEncoded,
        digest: [UInt8]? = nil,
        rest: [[UInt8]] = []
    ) -> [UInt8] {
        let imprint = DERWriter.tlv(0x30, algorithm, DERWriter.octetString(digest ?? self.digest))
        return DERWriter.tlv(0x30, parts: [version, imprint] + rest)
    }

    @Test("each bad query gets its own PKIFailureInfo")
    func rejections() async throws {
        let tsa = try authority()
        let good = TimeStampRequest.make(digest: digest, nonce: [1, 2, 3], certReq: true)
        let sha1 = DERWriter.tlv(0x30, DERWriter.objectIdentifier([1, 3, 14, 3, 2, 26]), [0x05, 0x00])
        let md5 = DERWriter.tlv(0x30, DERWriter.objectIdentifier([1, 2, 840, 113_549, 2, 5]))
        let sha256WithParameters = DERWriter.tlv(
            0x30,
            DERWriter.objectIdentifier(CMSDigestAlgorithm.sha256.objectIdentifier),
            DERWriter.integer(5)
        )
        let extensions = DERWriter.tlv(
            0xA0,
            DERWriter.tlv(0x30, DERWriter.objectIdentifier([1, 2, 3, 4]), DERWriter.octetString([0x05, 0x00]))
        )
        var random = SystemRandomNumberGenerator()
        let cases: [(String, [UInt8], TimeStampFailureInfo)] = [
            ("version 2", request(version: [0x02, 0x01, 0x02]), .badRequest),
            ("version 0", request(version: [0x02, 0x01, 0x00]), .badRequest),
            ("SHA-1 imprint", request(algorithm: sha1, digest: Array(Insecure.SHA1.hash(data: [1]))), .badAlg),
            ("MD5 imprint", request(algorithm: md5, digest: Array(repeating: 1, count: 16)), .badAlg),
            ("SHA-256 with parameters", request(algorithm: sha256WithParameters), .badAlg),
            ("short SHA-256 digest", request(digest: Array(digest.prefix(20))), .badDataFormat),
            ("long SHA-256 digest", request(digest: digest + [0]), .badDataFormat),
            (
                "SHA-512 OID, SHA-256 digest",
                request(algorithm: CMSDigestAlgorithm.sha512.algorithmIdentifier.derEncoded), .badDataFormat
            ),
            ("unknown policy", TimeStampRequest.make(digest: digest, policy: [1, 2, 3, 4, 5]), .unacceptedPolicy),
            ("an extension", request(rest: [extensions]), .unacceptedExtension),
            ("truncated DER", Array(good.dropLast(3)), .badDataFormat),
            ("trailing garbage", good + [0x00], .badDataFormat),
            ("a second request appended", good + good, .badDataFormat),
            ("random bytes", (0..<64).map { _ in UInt8.random(in: 0...255, using: &random) }, .badDataFormat),
            ("empty body", [], .badDataFormat),
            ("non-minimal length", [0x30, 0x81, 0x03, 0x02, 0x01, 0x01], .badDataFormat),
            ("indefinite length", [0x30, 0x80] + Array(good.dropFirst(2)) + [0x00, 0x00], .badDataFormat),
            ("not a SEQUENCE", [0x31] + good.dropFirst(), .badDataFormat),
            (
                "nonce over 64 bytes", TimeStampRequest.make(digest: digest, nonce: Array(repeating: 0x42, count: 65)),
                .badDataFormat
            ),
            ("non-minimal nonce", request(rest: [[0x02, 0x02, 0x00, 0x01]]), .badDataFormat),
            ("certReq not DER TRUE", request(rest: [[0x01, 0x01, 0x01]]), .badDataFormat),
            ("fields out of order", request(rest: [[0x01, 0x01, 0xFF], [0x02, 0x01, 0x07]]), .badDataFormat),
            ("missing imprint", DERWriter.tlv(0x30, DERWriter.integer(1)), .badDataFormat),
        ]
        for (name, bytes, failure) in cases {
            let response = try rejection(await tsa.respond(to: bytes, at: now))
            #expect(response.failureInfo == failure, "\(name): \(response.failureInfo) \(response.statusStrings)")
        }
    }

    @Test("a failing serial number source is a systemFailure whose cause stays out of the response")
    func systemFailure() async throws {
        struct DatabaseDown: Error {}
        let tsa = try TimeStampAuthority(
            key: Certificate.PrivateKey(pki.tsaKey),
            certificate: pki.tsa,
            policy: Self.policy,
            accuracy: nil,
            serialNumbers: { throw DatabaseDown() }
        )
        let outcome = await tsa.process(TimeStampRequest.make(digest: digest), at: now)
        #expect(outcome.status == .rejection)
        #expect(outcome.error?.code == .systemFailure)
        let response = try rejection(outcome.responseDER)
        #expect(response.failureInfo == .systemFailure)
        #expect(!response.statusStrings.joined().contains("DatabaseDown"))

        let zero = try TimeStampAuthority(
            key: Certificate.PrivateKey(pki.tsaKey),
            certificate: pki.tsa,
            policy: Self.policy,
            accuracy: nil,
            serialNumbers: { [0, 0] }
        )
        #expect(
            try rejection(await zero.respond(to: TimeStampRequest.make(digest: digest), at: now)).failureInfo
                == .systemFailure)
    }

    @Test("mutated requests never crash the authority and always get a DER answer")
    func mutationsNeverCrash() async throws {
        let tsa = try authority()
        let good = TimeStampRequest.make(digest: digest, nonce: [9, 9, 9], certReq: true, policy: Self.policy)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<600 {
            var mutated = good
            switch round % 3 {
            case 0:
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] ^= UInt8.random(
                    in: 1...255, using: &generator)
            case 1: mutated = Array(mutated.prefix(Int.random(in: 0..<mutated.count, using: &generator)))
            default:
                mutated.insert(
                    UInt8.random(in: 0...255, using: &generator),
                    at: Int.random(in: 0...mutated.count, using: &generator))
            }
            let response = try TimeStampResponse(derEncoded: await tsa.respond(to: mutated, at: now))
            if response.status == .granted {
                try response.token?.verifySignature(certificate: pki.tsa)
            }
        }
    }

    // MARK: - Configuration and client side

    @Test("a certificate without a critical, timeStamping-only EKU, or a key that does not fit, is refused")
    func configurationChecks() throws {
        #expect(throws: TimeStampError.self) {
            try TimeStampAuthority(
                key: Certificate.PrivateKey(pki.signerKey),
                certificate: pki.signer,
                policy: Self.policy,
                accuracy: nil,
                serialNumbers: { [1] }
            )
        }
        #expect(throws: TimeStampError.self) {
            try TimeStampAuthority(
                key: Certificate.PrivateKey(pki.signerKey),
                certificate: pki.tsa,
                policy: Self.policy,
                accuracy: nil,
                serialNumbers: { [1] }
            )
        }
        #expect(throws: TimeStampError.self) {
            try TimeStampAuthority(
                key: Certificate.PrivateKey(pki.tsaKey),
                certificate: pki.tsa,
                policy: Self.policy,
                accuracy: TimeStampAccuracy(millis: 1_000),
                serialNumbers: { [1] }
            )
        }
    }

    @Test("a key that signs only asynchronously (the PKCS#11/HSM seam) issues valid tokens")
    func asynchronousCustomKey() async throws {
        let key = Certificate.PrivateKey(AsyncOnlyTestKey(label: "tsa-slot-0", key: pki.tsaKey))
        let tsa = try TimeStampAuthority(
            key: key,
            certificate: pki.tsa,
            chain: [pki.root],
            policy: Self.policy,
            accuracy: TimeStampAccuracy(seconds: 1),
            serialNumbers: { [0x01, 0x00] }
        )
        let response = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest), at: now))
        try #require(response.token).verifySignature(certificate: pki.tsa)
        #expect(response.tokenInfo?.serialNumber == [0x01, 0x00])
    }

    @Test("a P-384 TSA key signs with ECDSA-SHA384 and a SHA-384 message digest")
    func p384Key() async throws {
        let key = P384.Signing.PrivateKey()
        let root = Certificate.PrivateKey(pki.rootKey)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_700_000_000),
            notValidAfter: Date(timeIntervalSince1970: 2_200_000_000),
            issuer: pki.root.subject,
            subject: try DistinguishedName { CommonName("P-384 TSA") },
            signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions {
                Critical(try ExtendedKeyUsage([.timeStamping]))
                Critical(KeyUsage(digitalSignature: true))
            },
            issuerPrivateKey: root
        )
        let tsa = try TimeStampAuthority(
            key: Certificate.PrivateKey(key),
            certificate: certificate,
            policy: Self.policy,
            accuracy: TimeStampAccuracy(seconds: 1),
            serialNumbers: { [0x7F, 0xFF] }
        )
        let response = try granted(await tsa.respond(to: TimeStampRequest.make(digest: digest), at: now))
        let token = try #require(response.token)
        #expect(CMSDigestAlgorithm(token.signedData.signerInfos[0].digestAlgorithm) == .sha384)
        #expect(response.tokenInfo?.serialNumber == [0x7F, 0xFF])
        try token.verifySignature(certificate: certificate)
    }

    @Test("a request made by the client helper parses back to what was asked")
    func clientRequestRoundTrip() throws {
        let nonce: [UInt8] = [0xFF, 0x01]
        let request = try TimeStampRequest(
            derEncoded: TimeStampRequest.make(
                digest: digest,
                hashAlgorithm: .sha256,
                nonce: nonce,
                certReq: true,
                policy: Self.policy
            )
        )
        #expect(request.version == 1)
        #expect(request.hashAlgorithm == .sha256)
        #expect(request.hashedMessage == digest)
        #expect(request.nonce == [0xFF, 0x01])
        #expect(request.certReq)
        #expect(request.policy == Self.policy)
        #expect(throws: TimeStampError.self) { try TimeStampRequest(derEncoded: [0x30, 0x00]) }
    }

    @Test("failure info bits encode as DER named-bit BIT STRINGs and decode back")
    func failureInfoBits() throws {
        let expected: [(TimeStampFailureInfo, [UInt8])] = [
            (.badAlg, [0x03, 0x02, 0x07, 0x80]),
            (.badRequest, [0x03, 0x02, 0x05, 0x20]),
            (.badDataFormat, [0x03, 0x02, 0x02, 0x04]),
            (.unacceptedPolicy, [0x03, 0x03, 0x00, 0x00, 0x01]),
            (.unacceptedExtension, [0x03, 0x04, 0x07, 0x00, 0x00, 0x80]),
            (.systemFailure, [0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40]),
        ]
        for (bits, encoding) in expected {
            #expect(bits.derEncoded == encoding)
            let decoded = try ASN1BitString(derEncoded: encoding)
            #expect(TimeStampFailureInfo(bitString: decoded.bytes) == bits)
        }
        #expect(TimeStampFailureInfo().derEncoded == nil)
    }
}
