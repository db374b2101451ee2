import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import Trust

@Suite("RFC 3161 time-stamp verification, as a client does it")
struct TimeStampVerifierTests {
    let pki = TrustTestPKI.shared
    static let policy: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 99_999, 3161, 1]
    let data = Array("the civil register, 2026".utf8)
    let now = Date(timeIntervalSince1970: 1_798_000_000.25)

    var verifier: TimeStampVerifier { TimeStampVerifier(trustAnchors: [pki.root]) }

    func authority() throws -> TimeStampAuthority {
        let serials = TestSerialCounter(startingAt: 0x1234)
        return try TimeStampAuthority(
            key: Certificate.PrivateKey(pki.tsaKey), certificate: pki.tsa, chain: [pki.root], policy: Self.policy,
            accuracy: TimeStampAccuracy(millis: 1), serialNumbers: { await serials.take() })
    }

    /// A query over `data` and the authority's reply to it.
    func exchange(
        nonce: [UInt8]? = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08], certReq: Bool = true,
        hashAlgorithm: CMSDigestAlgorithm = .sha256, at time: Date? = nil
    ) async throws -> (query: [UInt8], reply: [UInt8]) {
        let query = TimeStampRequest.make(
            digest: hashAlgorithm.hash(data), hashAlgorithm: hashAlgorithm, nonce: nonce, certReq: certReq)
        return (query, try await authority().respond(to: query, at: time ?? now))
    }

    /// The code of the TimeStampError `operation` throws.
    func failure(_ operation: () async throws(TimeStampError) -> Void) async -> TimeStampError? {
        do {
            try await operation()
            Issue.record("the time-stamp was accepted")
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Accepted

    @Test("a granted reply checks out against its query, and the result says what the token asserts")
    func accepted() async throws {
        let (query, reply) = try await exchange()
        let verified = try await verifier.verify(reply: reply, expecting: .init(query: query))
        #expect(abs(verified.genTime.timeIntervalSince(now)) < 0.001)
        #expect(verified.serialNumber == [0x12, 0x34])
        #expect(verified.serialNumberHex == "1234")
        #expect(verified.policy == Self.policy)
        #expect(verified.tsaName == .directoryName(pki.tsa.subject))
        #expect(verified.accuracy == TimeStampAccuracy(millis: 1))
        #expect(verified.hashAlgorithm == .sha256)
        #expect(verified.nonce == [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
        #expect(verified.chain == [pki.tsa, pki.root])
        #expect(verified.signer == pki.tsa)
    }

    @Test(
        "the data itself, or its digest, with or without the nonce and policy, is enough",
        arguments: [
            CMSDigestAlgorithm.sha256, .sha384, .sha512,
        ])
    func acceptedFromData(algorithm: CMSDigestAlgorithm) async throws {
        let (_, reply) = try await exchange(hashAlgorithm: algorithm)
        _ = try await verifier.verify(reply: reply, expecting: .init(data: data, hashAlgorithm: algorithm))
        _ = try await verifier.verify(
            reply: reply,
            expecting: .init(
                hashAlgorithm: algorithm, digest: algorithm.hash(data),
                nonce: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08], policy: Self.policy))
    }

    @Test("a token without certificates checks out when the TSA certificate is given as an intermediate")
    func tokenWithoutCertificates() async throws {
        let (query, reply) = try await exchange(certReq: false)
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(query: query))
        }
        #expect(error?.code == .untrustedSigner)
        let verified = try await TimeStampVerifier(trustAnchors: [pki.root], intermediates: [pki.tsa])
            .verify(reply: reply, expecting: .init(query: query))
        #expect(verified.signer == pki.tsa)
    }

    // MARK: - Refused

    @Test("other data is an imprint mismatch")
    func wrongData() async throws {
        let (_, reply) = try await exchange()
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(data: Array("the civil register, 2027".utf8)))
        }
        #expect(error?.code == .imprintMismatch)
    }

    @Test("the right data under another hash algorithm is an imprint mismatch")
    func wrongAlgorithm() async throws {
        let (_, reply) = try await exchange(hashAlgorithm: .sha384)
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(data: data, hashAlgorithm: .sha256))
        }
        #expect(error?.code == .imprintMismatch)
    }

    @Test("another nonce, or none where one was sent, is a nonce mismatch")
    func wrongNonce() async throws {
        let (_, reply) = try await exchange()
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(data: data, nonce: [0x01, 0x02, 0x03, 0x05]))
        }
        #expect(error?.code == .nonceMismatch)

        let (_, withoutNonce) = try await exchange(nonce: nil)
        let missing = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: withoutNonce, expecting: .init(data: data, nonce: [0x2A]))
        }
        #expect(missing?.code == .nonceMismatch)
    }

    @Test("another policy than the one asked for is a policy mismatch")
    func wrongPolicy() async throws {
        let (_, reply) = try await exchange()
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(data: data, policy: [2, 999, 1, 100]))
        }
        #expect(error?.code == .policyMismatch)
        #expect(error?.message.contains("1.3.6.1.4.1.99999.3161.1, not 2.999.1.100") == true)
    }

    @Test("a rejection is not granted, and says why")
    func rejection() async throws {
        let reply = try await authority().respond(to: [0x30, 0x00], at: now)
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(data: data))
        }
        #expect(error?.code == .notGranted)
        #expect(error?.message.contains("rejection") == true)
    }

    @Test("bytes that are not a reply are malformed")
    func garbage() async throws {
        for bytes: [UInt8] in [[], [0x30, 0x80], Array("not DER".utf8)] {
            let error = await failure { () async throws(TimeStampError) in
                _ = try await verifier.verify(reply: bytes, expecting: .init(data: data))
            }
            #expect(error?.code == .malformedResponse)
        }
    }

    @Test("a changed signature byte, or a changed TSTInfo byte, makes the token invalid")
    func tampered() async throws {
        let (query, reply) = try await exchange()
        // The last octet of the reply is the last octet of the ECDSA signature's s.
        var signature = reply
        signature[signature.count - 1] ^= 0x01
        let badSignature = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: signature, expecting: .init(query: query))
        }
        #expect(badSignature?.code == .invalidToken)

        // The policy OID's last arc inside the TSTInfo (its first occurrence in the reply): 1 becomes 2.
        let policyDER = DERWriter.objectIdentifier(Self.policy)
        let start = try #require(
            (0...(reply.count - policyDER.count)).first { Array(reply[$0..<($0 + policyDER.count)]) == policyDER })
        var content = reply
        content[start + policyDER.count - 1] = 0x02
        let badContent = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: content, expecting: .init(query: query))
        }
        #expect(badContent?.code == .invalidToken)
        #expect(badContent?.message.contains("message digest") == true)
    }

    @Test("a TSA under a root that is not trusted is refused")
    func untrustedRoot() async throws {
        let (query, reply) = try await exchange()
        let other = try TrustTestPKI.make()
        let error = await failure { () async throws(TimeStampError) in
            _ = try await TimeStampVerifier(trustAnchors: [other.root]).verify(
                reply: reply, expecting: .init(query: query))
        }
        #expect(error?.code == .untrustedSigner)
        let none = await failure { () async throws(TimeStampError) in
            _ = try await TimeStampVerifier(trustAnchors: []).verify(reply: reply, expecting: .init(query: query))
        }
        #expect(none?.code == .untrustedSigner)
        // The TSA certificate itself as the anchor is no anchor: it is not a CA. The reason names it by subject.
        let leafAsRoot = await failure { () async throws(TimeStampError) in
            _ = try await TimeStampVerifier(trustAnchors: [pki.tsa]).verify(
                reply: reply, expecting: .init(query: query))
        }
        #expect(leafAsRoot?.code == .untrustedSigner)
        #expect(leafAsRoot?.message.contains("'\(pki.tsa.subject)'") == true)
        #expect(leafAsRoot?.message.contains("Certificate(") == false)
    }

    @Test("a genTime after the TSA certificate expired is refused: the chain is checked at genTime")
    func expiredAtGenTime() async throws {
        let (query, reply) = try await exchange(at: Date(timeIntervalSince1970: 2_300_000_000))
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: reply, expecting: .init(query: query))
        }
        #expect(error?.code == .untrustedSigner)
    }

    @Test(
        "a token signed with a certificate lacking a critical timeStamping-only EKU is refused",
        arguments: [UsageVariant.none, .notCritical, .withClientAuth, .codeSigning])
    func withoutTimeStampingUsage(variant: UsageVariant) async throws {
        let (query, reply) = try await exchange()
        let content = try #require(try TimeStampResponse(derEncoded: reply).token?.signedData.content)
        let certificate = try certificate(variant)
        let builder = CMSSignedDataBuilder(
            signers: [try CMSSigner(key: Certificate.PrivateKey(pki.tsaKey), certificate: certificate)],
            certificates: [certificate, pki.root], contentType: .CMS.tstInfo)
        let token = try await builder.sign(content)
        // TimeStampResp { PKIStatusInfo { granted }, token }
        let forged = DERWriter.tlv(0x30, TimeStampResponse.grantedStatusDER, token)
        let error = await failure { () async throws(TimeStampError) in
            _ = try await verifier.verify(reply: forged, expecting: .init(query: query))
        }
        #expect(error?.code == .untrustedSigner)
        #expect(error?.message.contains("extended key usage") == true, "\(String(describing: error))")
    }

    enum UsageVariant: Sendable, CaseIterable {
        case none, notCritical, withClientAuth, codeSigning
    }

    /// A certificate for the TSA key, issued by the test root, whose extended key usage is wrong in one way.
    func certificate(_ variant: UsageVariant) throws -> Certificate {
        let publicKey = Certificate.PublicKey(pki.tsaKey.publicKey)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: Date(timeIntervalSince1970: 1_700_000_000),
            notValidAfter: Date(timeIntervalSince1970: 2_200_000_000),
            issuer: pki.root.subject,
            subject: try DistinguishedName {
                CountryName("GE")
                CommonName("Civitas Test TSA without the right EKU")
            },
            signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                switch variant {
                case .none: SubjectKeyIdentifier(hash: publicKey)
                case .notCritical: try ExtendedKeyUsage([.timeStamping])
                case .withClientAuth: Critical(try ExtendedKeyUsage([.timeStamping, .clientAuth]))
                case .codeSigning: Critical(try ExtendedKeyUsage([.codeSigning]))
                }
            },
            issuerPrivateKey: Certificate.PrivateKey(pki.rootKey))
    }
}
