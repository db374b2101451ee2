import Crypto
import Foundation
import SwiftASN1
import Testing
import Trust
import X509

@Suite("Certificate revocation lists")
struct CRLTests {
    let pki: OCSPTestPKI
    let now = OCSPTestPKI.now

    init() throws {
        pki = try OCSPTestPKI()
    }

    var entries: [CertificateRevocationList.Entry] {
        [
            .init(
                serialNumber: pki.leaf.serialNumber, revocationDate: now.addingTimeInterval(-3600),
                reason: .keyCompromise),
            .init(
                serialNumber: pki.secondLeaf.serialNumber, revocationDate: now.addingTimeInterval(-60),
                reason: .certificateHold),
            .init(serialNumber: Certificate.SerialNumber(bytes: [0x7F]), revocationDate: now, reason: nil),
        ]
    }

    func sign(
        entries: [CertificateRevocationList.Entry],
        number: CRLNumber = 42,
        thisUpdate: Date? = nil,
        nextUpdate: Date? = nil
    ) async throws -> CertificateRevocationList {
        let thisUpdate = thisUpdate ?? now
        return try await CertificateRevocationList.sign(
            issuer: pki.ca,
            key: Certificate.PrivateKey(pki.caKey),
            crlNumber: number,
            thisUpdate: thisUpdate,
            nextUpdate: nextUpdate ?? thisUpdate.addingTimeInterval(86_400),
            entries: entries
        )
    }

    func seconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// The top-level elements of tbsCertList.
    func tbsFields(_ crl: CertificateRevocationList) throws -> [ASN1Node] {
        let tbs = try DER.parse(crl.tbsCertList)
        guard case .constructed(let children) = tbs.content else { return [] }
        return Array(children)
    }

    @Test("a signed CRL reads back with every field")
    func roundTrip() async throws {
        let crl = try await sign(entries: entries)
        let decoded = try CertificateRevocationList(derEncoded: crl.derEncoded)
        #expect(decoded == crl)
        #expect(
            decoded.entries
                == entries.map { entry in
                    var entry = entry
                    entry.revocationDate = seconds(entry.revocationDate)
                    return entry
                })
        #expect(decoded.thisUpdate == seconds(now))
        #expect(decoded.nextUpdate == seconds(now).addingTimeInterval(86_400))
        #expect(decoded.crlNumber == 42)
        let ski = try #require(try pki.ca.extensions.subjectKeyIdentifier)
        #expect(decoded.authorityKeyIdentifier == ski.keyIdentifier)
        var subject = DER.Serializer()
        try subject.serialize(pki.ca.subject)
        #expect(Array(decoded.issuerDER) == subject.serializedBytes)
        #expect(decoded.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(decoded.entry(for: pki.leaf.serialNumber)?.reason == .keyCompromise)
        #expect(decoded.entry(for: Certificate.SerialNumber(bytes: [0x55])) == nil)
        let version = try #require(try tbsFields(decoded).first)
        #expect(version.encodedBytes.elementsEqual([0x02, 0x01, 0x01]))
    }

    @Test("the signature verifies with swift-crypto directly, and only for the issuing CA")
    func signatureVerifies() async throws {
        let crl = try await sign(entries: entries)
        let signature = try P256.Signing.ECDSASignature(derRepresentation: crl.signature)
        #expect(pki.caKey.publicKey.isValidSignature(signature, for: crl.tbsCertList))
        #expect(crl.isSignatureValid(issuer: pki.ca))
        #expect(!crl.isSignatureValid(issuer: pki.otherCA))
        var tampered = crl.derEncoded
        let index = try #require(tampered.firstIndex(of: 0x7F))
        tampered[index] = 0x7E
        #expect(try !CertificateRevocationList(derEncoded: tampered).isSignatureValid(issuer: pki.ca))
    }

    @Test("an empty CRL omits revokedCertificates")
    func emptyCRL() async throws {
        let crl = try await sign(entries: [])
        #expect(crl.entries.isEmpty)
        // version, signature, issuer, thisUpdate, nextUpdate, [0] crlExtensions: no revokedCertificates.
        let tags = try tbsFields(crl).map(\.identifier)
        let crlExtensions = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        #expect(tags == [.integer, .sequence, .sequence, .utcTime, .utcTime, crlExtensions])
        let withEntries = try tbsFields(await sign(entries: entries)).map(\.identifier)
        #expect(withEntries == [.integer, .sequence, .sequence, .utcTime, .utcTime, .sequence, crlExtensions])
    }

    @Test("times are UTCTime through 2049 and GeneralizedTime from 2050")
    func timeEncoding() async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let lastUTC = calendar.date(
            from: DateComponents(year: 2049, month: 12, day: 31, hour: 23, minute: 59, second: 59))!
        let firstGeneralized = lastUTC.addingTimeInterval(1)
        let crl = try await CertificateRevocationList.sign(
            issuer: pki.ca,
            key: Certificate.PrivateKey(pki.caKey),
            crlNumber: 1,
            thisUpdate: lastUTC,
            nextUpdate: firstGeneralized,
            entries: []
        )
        let fields = try tbsFields(crl)
        #expect(fields[3].identifier == .utcTime)
        #expect(fields[3].encodedBytes.elementsEqual([0x17, 0x0D] + Array("491231235959Z".utf8)))
        #expect(fields[4].identifier == .generalizedTime)
        #expect(fields[4].encodedBytes.elementsEqual([0x18, 0x0F] + Array("20500101000000Z".utf8)))
        let decoded = try CertificateRevocationList(derEncoded: crl.derEncoded)
        #expect(decoded.thisUpdate == lastUTC)
        #expect(decoded.nextUpdate == firstGeneralized)
    }

    @Test("unspecified is written as no reason code")
    func unspecifiedReason() async throws {
        let entry = CertificateRevocationList.Entry(
            serialNumber: pki.leaf.serialNumber, revocationDate: now, reason: .unspecified)
        let crl = try await sign(entries: [entry])
        #expect(crl.entries.first?.reason == nil)
    }

    @Test("a P-384 CA signs with ecdsa-with-SHA384")
    func p384() async throws {
        let crl = try await CertificateRevocationList.sign(
            issuer: pki.root,
            key: Certificate.PrivateKey(pki.rootKey),
            crlNumber: 7,
            thisUpdate: now,
            nextUpdate: now.addingTimeInterval(3600),
            entries: [.init(serialNumber: pki.ca.serialNumber, revocationDate: now, reason: .caCompromise)]
        )
        #expect(crl.signatureAlgorithm == .ecdsaWithSHA384)
        let signature = try P384.Signing.ECDSASignature(derRepresentation: crl.signature)
        #expect(pki.rootKey.publicKey.isValidSignature(signature, for: crl.tbsCertList))
    }

    @Test("bad input is refused before signing")
    func badInput() async throws {
        let duplicate = entries + [entries[0]]
        await #expect(throws: CRLError.self) { try await sign(entries: duplicate) }
        let remove = [
            CertificateRevocationList.Entry(
                serialNumber: pki.leaf.serialNumber, revocationDate: now, reason: .removeFromCRL)
        ]
        await #expect(throws: CRLError.self) { try await sign(entries: remove) }
        await #expect(throws: CRLError.self) { try await sign(entries: [], nextUpdate: now) }
        await #expect(throws: CRLError.self) {
            try await CertificateRevocationList.sign(
                issuer: pki.ca,
                key: Certificate.PrivateKey(pki.otherCAKey),
                crlNumber: 1,
                thisUpdate: now,
                nextUpdate: now.addingTimeInterval(60),
                entries: []
            )
        }
    }

    @Test("malformed DER is a CRLError, never a crash")
    func malformed() async throws {
        let valid = try await sign(entries: entries).derEncoded
        let cases: [[UInt8]] = [[], [0x30, 0x00], Array(valid.dropLast()), valid + [0], Array("not a crl".utf8)]
        for bytes in cases {
            #expect(throws: CRLError.self) { try CertificateRevocationList(derEncoded: bytes) }
        }
        for index in valid.indices {
            var bytes = valid
            bytes[index] ^= 0xFF
            _ = try? CertificateRevocationList(derEncoded: bytes)
        }
    }

    @Test("an unknown critical extension makes the CRL unusable")
    func unknownCriticalExtension() throws {
        // A hand-made v2 CRL whose crlExtensions hold a critical issuingDistributionPoint.
        var serializer = DER.Serializer()
        let algorithm: [UInt8] = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        try serializer.appendConstructedNode(identifier: .sequence) { list in
            try list.appendConstructedNode(identifier: .sequence) { tbs in
                try tbs.serialize(1)
                tbs.serializeRawBytes(algorithm)
                try tbs.serialize(pki.ca.subject)
                try tbs.serialize(UTCTime(year: 2026, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0))
                try tbs.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
                { explicit in
                    try explicit.appendConstructedNode(identifier: .sequence) { extensions in
                        try extensions.appendConstructedNode(identifier: .sequence) { item in
                            try item.serialize(ASN1ObjectIdentifier("2.5.29.28"))
                            try item.serialize(true)
                            try item.serialize(ASN1OctetString(contentBytes: [0x30, 0x00]))
                        }
                    }
                }
            }
            list.serializeRawBytes(algorithm)
            try list.serialize(ASN1BitString(bytes: [0x30, 0x00]))
        }
        #expect {
            try CertificateRevocationList(derEncoded: serializer.serializedBytes)
        } throws: { error in
            (error as? CRLError)?.code == .unsupportedCriticalExtension
        }
    }

    @Test("CRL numbers are unsigned integers of up to 20 octets, in numeric order")
    func crlNumbers() async throws {
        #expect(CRLNumber(0).magnitude == [])
        #expect(CRLNumber(0x80).magnitude == [0x80])
        #expect(CRLNumber(0xFF).successor == CRLNumber(0x100))
        #expect(CRLNumber(255) < CRLNumber(256))
        #expect(CRLNumber(magnitude: [UInt8](repeating: 0xFF, count: 21)) == nil)
        let big = try #require(CRLNumber(magnitude: [UInt8](repeating: 0xFF, count: 20)))
        #expect(big.value == nil)
        #expect(big.description == "0x" + String(repeating: "ff", count: 20))
        #expect(CRLNumber(12_345).description == "12345")
        for number in [CRLNumber(0), CRLNumber(0x80), CRLNumber(UInt64.max), big] {
            let crl = try await sign(entries: [], number: number)
            #expect(try CertificateRevocationList(derEncoded: crl.derEncoded).crlNumber == number)
        }
    }
}
