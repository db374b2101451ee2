import Crypto
import Foundation
import SwiftASN1
import Testing
import Trust
import X509

@Suite("OCSP responder")
struct OCSPResponderTests {
    let pki: OCSPTestPKI
    let statuses = OCSPTestStatuses()
    let now = OCSPTestPKI.now

    init() throws {
        pki = try OCSPTestPKI()
    }

    func makeResponder(
        cache: OCSPResponseCache? = OCSPResponseCache(),
        extraAuthorities: [OCSPResponder.Authority] = [],
        maximumCertIDs: Int = 64
    ) throws -> OCSPResponder {
        let statuses = self.statuses
        return try OCSPResponder(
            authorities: [try pki.authority()] + extraAuthorities,
            validity: 3600,
            cache: cache,
            maximumCertIDs: maximumCertIDs
        ) { identity in
            try statuses.lookup(identity)
        }
    }

    /// Decodes a successful response and checks what every successful answer must satisfy.
    func decodeSuccessful(_ der: [UInt8]) throws -> OCSPBasicResponse {
        let response = try OCSPResponse(derEncoded: der)
        #expect(response.status == .successful)
        let basic = try #require(response.basicResponse)
        #expect(basic.isSignatureValid(publicKey: pki.responder.publicKey))
        #expect(basic.certificates == [pki.responder])
        #expect(basic.signatureAlgorithm == .ecdsaWithSHA256)
        let keyHash = Array(Insecure.SHA1.hash(data: pki.responder.publicKey.subjectPublicKeyInfoBytes))
        #expect(basic.responderID == .byKey(keyHash[...]))
        return basic
    }

    func status(of der: [UInt8]) throws -> OCSPResponseStatus {
        try OCSPResponse(derEncoded: der).status
    }

    @Test("a good certificate is good, for SHA-1 and SHA-256 CertIDs", arguments: OCSPHashAlgorithm.allCases)
    func goodCertificate(hash: OCSPHashAlgorithm) async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder()
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, hashAlgorithm: hash, nonce: nil)
        let basic = try decodeSuccessful(await responder.respond(to: request, at: now))
        let single = try #require(basic.responses.first)
        #expect(basic.responses.count == 1)
        #expect(single.status == .good)
        #expect(single.certID == (try OCSPRequest(derEncoded: request)).certIDs[0])
        #expect(single.certID.hashAlgorithm == hash)
        #expect(single.certID.serialNumber == pki.leaf.serialNumber)
        // DER GeneralizedTime has no fractional seconds: the time reads back truncated.
        let second = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        #expect(basic.producedAt == second)
        #expect(single.thisUpdate == second)
        #expect(single.nextUpdate == second.addingTimeInterval(3600))
        #expect(basic.nonce == nil)
    }

    @Test("a revoked certificate is revoked with its time and reason")
    func revokedCertificate() async throws {
        let revokedAt = Date(timeIntervalSince1970: 1_797_000_000)
        statuses.set(pki.leaf.serialNumber, .revoked(time: revokedAt, reason: .keyCompromise))
        statuses.set(pki.secondLeaf.serialNumber, .revoked(time: revokedAt, reason: nil))
        let responder = try makeResponder()
        for (leaf, reason) in [(pki.leaf, CRLReason?.some(.keyCompromise)), (pki.secondLeaf, nil)] {
            let request = try OCSPRequest.make(certificate: leaf, issuer: pki.ca)
            let basic = try decodeSuccessful(await responder.respond(to: request, at: now))
            #expect(basic.responses.first?.status == .revoked(time: revokedAt, reason: reason))
        }
    }

    @Test("a suspended certificate is revoked with certificateHold, and good again once lifted")
    func suspendedCertificate() async throws {
        let responder = try makeResponder()
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: nil)
        statuses.set(pki.leaf.serialNumber, .revoked(time: now, reason: .certificateHold))
        let held = try decodeSuccessful(await responder.respond(to: request, at: now))
        let second = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        #expect(held.responses.first?.status == .revoked(time: second, reason: .certificateHold))
        statuses.set(pki.leaf.serialNumber, .good)
        responder.invalidate(issuer: try pki.authority().issuer, serialNumber: pki.leaf.serialNumber)
        let lifted = try decodeSuccessful(await responder.respond(to: request, at: now))
        #expect(lifted.responses.first?.status == .good)
    }

    @Test("a serial the CA never issued is unknown, whether the lookup says nil or unknown")
    func unknownSerial() async throws {
        statuses.set(Certificate.SerialNumber(0x77), .unknown)
        let responder = try makeResponder()
        for serial in [Certificate.SerialNumber(0x76), Certificate.SerialNumber(0x77)] {
            let certID = try OCSPCertID(issuer: pki.ca, serialNumber: serial)
            let request = try OCSPRequest(certIDs: [certID], nonce: nil).derEncoded
            let basic = try decodeSuccessful(await responder.respond(to: request, at: now))
            #expect(basic.responses.first?.status == .unknown)
        }
    }

    @Test("the nonce's extnValue is echoed byte for byte")
    func nonceEchoed() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder()
        let nonce: [UInt8] = Array(0..<16)
        let der = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: nonce)
        let request = try OCSPRequest(derEncoded: der)
        #expect(request.nonce.map(Array.init) == [0x04, 0x10] + nonce)
        let basic = try decodeSuccessful(await responder.respond(to: der, at: now))
        #expect(basic.nonce.map(Array.init) == request.nonce.map(Array.init))
    }

    @Test("a request with requestorName and a signature is answered; the signature is not needed")
    func signedRequest() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder()
        let certID = try OCSPCertID(certificate: pki.leaf, issuer: pki.ca)
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { request in
            request.appendConstructedNode(identifier: .sequence) { tbs in
                // requestorName [1] EXPLICIT GeneralName: rfc822Name [1] IMPLICIT IA5String
                tbs.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)) {
                    $0.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)) {
                        $0.append(contentsOf: Array("clerk@example.ge".utf8))
                    }
                }
                tbs.appendConstructedNode(identifier: .sequence) { list in
                    list.appendConstructedNode(identifier: .sequence) { $0.serializeRawBytes(certID.derEncoded) }
                }
            }
            // optionalSignature [0] EXPLICIT Signature, with a signature nobody checks
            try request.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
            {
                try $0.appendConstructedNode(identifier: .sequence) { signature in
                    signature.serializeRawBytes([
                        0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
                    ])
                    try signature.serialize(ASN1BitString(bytes: [0x30, 0x00]))
                }
            }
        }
        let request = try OCSPRequest(derEncoded: serializer.serializedBytes)
        #expect(request.isSigned)
        let basic = try decodeSuccessful(await responder.respond(to: serializer.serializedBytes, at: now))
        #expect(basic.responses.map(\.status) == [.good])
    }

    @Test("a request naming only CAs not served here is unauthorized")
    func unknownIssuer() async throws {
        let responder = try makeResponder()
        let request = try OCSPRequest.make(certificate: pki.ca, issuer: pki.root)
        #expect(try status(of: await responder.respond(to: request, at: now)) == .unauthorized)
    }

    @Test("each CertID gets its own answer; other CAs' and unsupported hash algorithms' CertIDs are unknown")
    func severalCertIDs() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        statuses.set(pki.secondLeaf.serialNumber, .revoked(time: now, reason: .superseded))
        let responder = try makeResponder(extraAuthorities: [try pki.otherAuthority()])
        let good = try OCSPCertID(hashAlgorithm: .sha1, certificate: pki.leaf, issuer: pki.ca)
        let revoked = try OCSPCertID(certificate: pki.secondLeaf, issuer: pki.ca)
        let otherCA = try OCSPCertID(issuer: pki.otherCA, serialNumber: pki.leaf.serialNumber)
        let sha384 = try Self.sha384CertID(issuer: pki.ca, serial: pki.leaf.serialNumber)
        let request = try OCSPRequest(certIDs: [good, revoked, otherCA, sha384], nonce: [1, 2, 3])
        #expect(request.certIDs[3].hashAlgorithm == nil)
        let basic = try decodeSuccessful(await responder.respond(to: request.derEncoded, at: now))
        #expect(basic.responses.map(\.certID) == request.certIDs)
        let second = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        #expect(
            basic.responses.map(\.status) == [
                .good, .revoked(time: second, reason: .superseded), .unknown, .unknown,
            ]
        )
    }

    @Test("a lone CertID with an unsupported hash algorithm is answered unknown")
    func unsupportedHashAlone() async throws {
        let responder = try makeResponder()
        let sha384 = try Self.sha384CertID(issuer: pki.ca, serial: pki.leaf.serialNumber)
        let request = try OCSPRequest(certIDs: [sha384], nonce: nil)
        let basic = try decodeSuccessful(await responder.respond(to: request.derEncoded, at: now))
        #expect(basic.responses.map(\.status) == [.unknown])
        #expect(statuses.lookupCount == 0)
    }

    @Test("a lookup that throws gives internalError")
    func lookupFailure() async throws {
        statuses.failLookups()
        let responder = try makeResponder()
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca)
        let answer = await responder.answer(to: request, at: now)
        #expect(answer.status == .internalError)
        #expect(answer.failure is OCSPTestStatuses.LookupFailure)
        #expect(try status(of: answer.derEncoded) == .internalError)
    }

    @Test("bad requests are malformedRequest, never a crash")
    func malformedRequests() async throws {
        let responder = try makeResponder(maximumCertIDs: 4)
        let valid = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca)
        let certID = try OCSPCertID(certificate: pki.leaf, issuer: pki.ca)
        let tooMany = try OCSPRequest(certIDs: Array(repeating: certID, count: 5), nonce: nil).derEncoded
        var wrongVersion = try OCSPRequest(certIDs: [certID], nonce: nil).derEncoded
        // Insert `[0] EXPLICIT INTEGER 1` at the start of TBSRequest, fixing both lengths.
        wrongVersion.insert(contentsOf: [0xA0, 0x03, 0x02, 0x01, 0x01], at: 4)
        wrongVersion[1] += 5
        wrongVersion[3] += 5
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("garbage", Array("GET / HTTP/1.1\r\n\r\n".utf8)),
            ("truncated", Array(valid.dropLast(3))),
            ("trailing bytes", valid + [0x00]),
            ("a second root element", valid + valid),
            ("too many CertIDs", tooMany),
            ("too large", [UInt8](repeating: 0x30, count: 20_000)),
            ("indefinite length (BER, not DER)", [0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00]),
            ("version v2", wrongVersion),
            ("empty requestList", [0x30, 0x04, 0x30, 0x02, 0x30, 0x00]),
        ]
        for (name, bytes) in cases {
            let answer = await responder.answer(to: bytes, at: now)
            #expect(answer.status == .malformedRequest, "\(name)")
            #expect(try status(of: answer.derEncoded) == .malformedRequest, "\(name)")
        }
    }

    @Test("every one-byte corruption and truncation of a request is answered with a decodable response")
    func corruptedRequests() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder(cache: nil)
        let valid = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: Array(0..<16))
        for index in valid.indices {
            for replacement: UInt8 in [0x00, 0x80, 0xFF, valid[index] ^ 0x01] {
                var bytes = valid
                bytes[index] = replacement
                _ = try OCSPResponse(derEncoded: await responder.respond(to: bytes, at: now))
            }
            _ = try OCSPResponse(derEncoded: await responder.respond(to: Array(valid[..<index]), at: now))
        }
    }

    @Test("a cached answer is the identical bytes, without a lookup or a signature")
    func cacheHit() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder()
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: nil)
        let first = await responder.answer(to: request, at: now)
        #expect(!first.isFromCache)
        #expect(pki.countingKey.signatures == 1)
        for offset in [1.0, 600, 2699] {
            let again = await responder.answer(to: request, at: now.addingTimeInterval(offset))
            #expect(again.isFromCache)
            #expect(again.derEncoded == first.derEncoded)
        }
        #expect(pki.countingKey.signatures == 1)
        #expect(statuses.lookupCount == 1)
        #expect(responder.cache?.count == 1)
    }

    @Test("requests with a nonce are always signed afresh")
    func nonceBypassesCache() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder()
        for _ in 0..<3 {
            let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca)
            #expect(!(await responder.answer(to: request, at: now)).isFromCache)
        }
        #expect(pki.countingKey.signatures == 3)
        #expect(responder.cache?.count == 0)
    }

    @Test("an answer is refreshed once within the refresh margin of nextUpdate")
    func cacheRefresh() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder(cache: OCSPResponseCache(refreshMargin: 900))
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: nil)
        _ = await responder.respond(to: request, at: now)
        let refreshed = await responder.answer(to: request, at: now.addingTimeInterval(2701))
        #expect(!refreshed.isFromCache)
        #expect(pki.countingKey.signatures == 2)
        #expect((await responder.answer(to: request, at: now.addingTimeInterval(2702))).isFromCache)
    }

    @Test("invalidation makes the next answer show the new status, for every hash algorithm")
    func invalidation() async throws {
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try makeResponder()
        let sha1 = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, hashAlgorithm: .sha1, nonce: nil)
        let sha256 = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, hashAlgorithm: .sha256, nonce: nil)
        for request in [sha1, sha256] {
            _ = await responder.respond(to: request, at: now)
            #expect((await responder.answer(to: request, at: now)).isFromCache)
        }
        #expect(responder.cache?.count == 2)
        let revokedAt = now.addingTimeInterval(10)
        statuses.set(pki.leaf.serialNumber, .revoked(time: revokedAt, reason: .keyCompromise))
        responder.invalidate(issuer: try pki.authority().issuer, serialNumber: pki.leaf.serialNumber)
        #expect(responder.cache?.count == 0)
        for request in [sha1, sha256] {
            let answer = await responder.answer(to: request, at: now.addingTimeInterval(20))
            #expect(!answer.isFromCache)
            let basic = try decodeSuccessful(answer.derEncoded)
            let second = Date(timeIntervalSince1970: revokedAt.timeIntervalSince1970.rounded(.down))
            #expect(basic.responses.first?.status == .revoked(time: second, reason: .keyCompromise))
        }
        responder.invalidateAll()
        #expect(responder.cache?.count == 0)
    }

    @Test("an answer looked up before an invalidation is not cached after it")
    func invalidationDuringLookup() async throws {
        let cache = OCSPResponseCache()
        let issuer = try pki.authority().issuer
        let serial = pki.leaf.serialNumber
        let statuses = self.statuses
        statuses.set(serial, .good)
        let responder = try OCSPResponder(authorities: [try pki.authority()], cache: cache) { identity in
            let status = try statuses.lookup(identity)
            // The status changes and is announced while this answer is being made.
            statuses.set(serial, .revoked(time: OCSPTestPKI.now, reason: .keyCompromise))
            cache.invalidate(issuer: issuer, serialNumber: serial)
            return status
        }
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: nil)
        _ = await responder.respond(to: request, at: now)
        #expect(cache.count == 0)
        #expect(!(await responder.answer(to: request, at: now)).isFromCache)
    }

    @Test("unknown answers are not cached")
    func unknownNotCached() async throws {
        let responder = try makeResponder()
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca, nonce: nil)
        _ = await responder.respond(to: request, at: now)
        #expect(responder.cache?.count == 0)
    }

    @Test("the cache stays within its capacity")
    func cacheCapacity() async throws {
        let responder = try makeResponder(cache: OCSPResponseCache(capacity: 3))
        for serial in 1...10 {
            statuses.set(Certificate.SerialNumber(serial), .good)
            let certID = try OCSPCertID(issuer: pki.ca, serialNumber: Certificate.SerialNumber(serial))
            _ = await responder.respond(to: try OCSPRequest(certIDs: [certID], nonce: nil).derEncoded, at: now)
        }
        #expect(responder.cache?.count == 3)
    }

    @Test("configuration mistakes are refused")
    func configuration() throws {
        #expect(throws: OCSPError.self) {
            try OCSPResponder.Authority(
                caCertificate: pki.ca,
                responderCertificate: pki.responder,
                responderKey: Certificate.PrivateKey(P256.Signing.PrivateKey())
            )
        }
        // The leaf lacks id-kp-OCSPSigning.
        #expect(throws: OCSPError.self) {
            try OCSPResponder.Authority(
                caCertificate: pki.ca,
                responderCertificate: pki.leaf,
                responderKey: Certificate.PrivateKey(pki.leafKey)
            )
        }
        // The responder is not issued by the other CA.
        #expect(throws: OCSPError.self) {
            try OCSPResponder.Authority(
                caCertificate: pki.otherCA,
                responderCertificate: pki.responder,
                responderKey: Certificate.PrivateKey(pki.responderKey)
            )
        }
        #expect(throws: OCSPError.self) {
            try OCSPResponder(authorities: [], lookup: { _ in .good })
        }
        #expect(throws: OCSPError.self) {
            try OCSPResponder(
                authorities: [try pki.authority()],
                validity: 600,
                cache: OCSPResponseCache(refreshMargin: 900),
                lookup: { _ in .good }
            )
        }
    }

    @Test("a GET path decodes to the request, in either base64 alphabet")
    func getPath() throws {
        let request = try OCSPRequest.make(certificate: pki.leaf, issuer: pki.ca)
        let base64 = Data(request).base64EncodedString()
        let encoded = base64.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let urlSafe = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(OCSPRequest.derBytes(fromGETPath: encoded) == request)
        #expect(OCSPRequest.derBytes(fromGETPath: urlSafe) == request)
        #expect(OCSPRequest.derBytes(fromGETPath: "%zz") == nil)
        #expect(OCSPRequest.derBytes(fromGETPath: "!!!!") == nil)
    }

    /// A CertID that names `issuer` with SHA-384, which the responder does not support.
    static func sha384CertID(issuer: Certificate, serial: Certificate.SerialNumber) throws -> OCSPCertID {
        let sha256 = try OCSPCertID(issuer: issuer, serialNumber: serial)
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { certID in
            try certID.appendConstructedNode(identifier: .sequence) { algorithm in
                try algorithm.serialize(ASN1ObjectIdentifier("2.16.840.1.101.3.4.2.2"))
            }
            try certID.serialize(ASN1OctetString(contentBytes: ArraySlice(repeating: 1, count: 48)))
            try certID.serialize(ASN1OctetString(contentBytes: ArraySlice(repeating: 2, count: 48)))
            certID.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: sha256.serialNumber.bytes) }
        }
        // Round-trip through a request, the public way to read a CertID.
        var request = DER.Serializer()
        request.appendConstructedNode(identifier: .sequence) { outer in
            outer.appendConstructedNode(identifier: .sequence) { tbs in
                tbs.appendConstructedNode(identifier: .sequence) { list in
                    list.appendConstructedNode(identifier: .sequence) {
                        $0.serializeRawBytes(serializer.serializedBytes)
                    }
                }
            }
        }
        return try OCSPRequest(derEncoded: request.serializedBytes).certIDs[0]
    }
}
