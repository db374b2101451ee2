import Audit
import CivitasCore
import Crypto
import Foundation
import Storage
import StorageTesting
import Synchronization
import Testing
import X509

@testable import Trust

/// A clock the test sets.
final class SettableClock: WallClock {
    private let instant: Mutex<Date>
    init(_ date: Date) { instant = Mutex(date) }
    func now() -> Date { instant.withLock { $0 } }
    func set(_ date: Date) { instant.withLock { $0 = date } }
}

/// A national PKI with one citizen's qualified signing certificate, and a validator that trusts its root.
struct ValidationFixture {
    let database: Database
    let pki: NationalPKI
    let key: P256.Signing.PrivateKey
    let citizen: StoredCertificate
    let chain: [Certificate]
    let authority: TimeStampAuthority

    static let document = Array("Application for a birth certificate, 2026-000123".utf8)

    static func make(_ database: Database, clock: any WallClock = SystemClock()) async throws -> ValidationFixture {
        let pki = NationalPKI(
            database: database,
            keyStore: SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key),
            audit: AuditLog(database: database), baseURL: "https://trust.example", clock: clock)
        try await pki.initialise()
        let key = P256.Signing.PrivateKey()
        let citizen = try await pki.issue(
            profile: .citizenQualifiedSignature, publicKey: Certificate.PublicKey(key.publicKey),
            subject: try DistinguishedName {
                CountryName("GE")
                CommonName("Nino Beridze")
            }, actor: NationalPKITests.actor)
        let chain = [
            try await pki.certificate(role: .citizensCA).certificate,
            try await pki.certificate(role: .organisationsCA).certificate,
        ]
        let authority = try await pki.timeStampAuthority(serials: SerialAllocator(database: database, name: "tsa"))
        return ValidationFixture(
            database: database, pki: pki, key: key, citizen: citizen, chain: chain, authority: authority)
    }

    func validator(
        clock: any WallClock = SystemClock(), sources: [any RevocationSource]? = nil
    ) async throws
        -> SignatureValidator
    {
        SignatureValidator(
            trustAnchors: [try await pki.certificate(role: .root).certificate], intermediates: chain,
            revocationSources: sources ?? [NationalPKIRevocationSource(pki: pki)], clock: clock)
    }

    func sign(_ level: CAdESLevel, document: [UInt8] = document) async throws -> [UInt8] {
        try await CAdESSigner().sign(
            document, key: Certificate.PrivateKey(key), certificate: citizen.certificate, chain: [chain[0]],
            level: level, timeStamping: authority)
    }

    /// A B-T signature whose signing time and time-stamp are at `time`.
    func signTimestamped(at time: Date) async throws -> [UInt8] {
        let signer = try CMSSigner(key: Certificate.PrivateKey(key), certificate: citizen.certificate)
        let builder = CMSSignedDataBuilder(signers: [signer], certificates: [citizen.certificate, chain[0]])
        var signedData = try await builder.signedData(Self.document, detached: true, signingTime: time)
        let query = TimeStampRequest.make(
            digest: Array(SHA256.hash(data: signedData.signerInfos[0].signature)), nonce: nil, certReq: true)
        let reply = try TimeStampResponse(derEncoded: await authority.respond(to: query, at: time))
        let token = try #require(reply.token)
        signedData.signerInfos[0].unsignedAttributes.append(
            try CMSAttribute(type: .CMS.signatureTimeStampToken, valueDER: token.derEncoded))
        return signedData.contentInfoDER
    }

    func revoke(at time: Date? = nil, _ change: NationalPKI.StatusChange = .revoke(.keyCompromise)) async throws {
        _ = try await pki.change(
            issuer: citizen.issuer, serial: citizen.serial, change, actor: NationalPKITests.actor, at: time)
    }
}

@Suite("Signature validation (ETSI EN 319 102-1 indications)")
struct SignatureValidatorTests {
    @Test(
        "a CAdES B-T signature by a qualified certificate passes, with every part of the report",
        arguments: DatabaseEngine.allCases)
    func passes(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let signature = try await fixture.sign(.timestamped)
            let report = try await fixture.validator().validate(
                signature, signed: .document(ValidationFixture.document))
            #expect(report.indication == .totalPassed, "\(report)")
            let signed = try #require(report.signatures.first)
            #expect(signed.format == "CAdES-BASELINE-T")
            #expect(signed.signer?.qualified == true)
            #expect(signed.signer?.subject.contains("Nino Beridze") == true)
            #expect(signed.digestAlgorithm == "SHA-256")
            #expect(signed.chain.count == 3)
            #expect(signed.revocation?.status == "good")
            #expect(signed.revocation?.source == "national PKI")
            let timeStamp = try #require(signed.timeStamp)
            #expect(timeStamp.indication == .totalPassed, "\(timeStamp)")
            // The proof of existence is the latest time the token can have been made: genTime plus accuracy.
            let accuracy = Double(fixture.authority.accuracy?.totalMicroseconds ?? 0) / 1_000_000
            #expect(signed.bestSignatureTime == timeStamp.genTime?.addingTimeInterval(accuracy))
            #expect(accuracy > 0)
            #expect(signed.claimedSigningTime != nil)
        }
    }

    @Test("a changed document is TOTAL-FAILED/HASH_FAILURE; a changed signature value SIG_CRYPTO_FAILURE")
    func tampering() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let validator = try await fixture.validator()
            let signature = try await fixture.sign(.basic)
            var changed = ValidationFixture.document
            changed[0] ^= 0x01
            let hashReport = await validator.validate(signature, signed: .document(changed))
            #expect(hashReport.indication == .totalFailed)
            #expect(hashReport.subIndication == .hashFailure)

            let value = try CMSSignedData(contentInfoDER: signature).signerInfos[0].signature
            let at = try #require(signature.firstRange(of: value))
            var forged = signature
            forged[at.upperBound - 2] ^= 0x01
            let cryptoReport = await validator.validate(forged, signed: .document(ValidationFixture.document))
            #expect(cryptoReport.subIndication == .sigCryptoFailure, "\(cryptoReport)")
            #expect(cryptoReport.indication == .totalFailed)
        }
    }

    @Test("revoked after a time-stamped signature: passes; without a time-stamp: REVOKED_NO_POE")
    func revokedAfterSigning() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            // Time-stamped a minute ago, beyond the TSA's accuracy; revoked now.
            let timestamped = try await fixture.signTimestamped(at: Date().addingTimeInterval(-60))
            let basic = try await fixture.sign(.basic)
            try await fixture.revoke()
            let validator = try await fixture.validator()
            let withProof = await validator.validate(timestamped, signed: .document(ValidationFixture.document))
            #expect(withProof.indication == .totalPassed, "\(withProof)")
            #expect(withProof.signatures[0].revocation?.status == "revoked")
            #expect(withProof.signatures[0].messages.contains { $0.contains("after the proof of existence") })
            let without = await validator.validate(basic, signed: .document(ValidationFixture.document))
            #expect(without.indication == .indeterminate)
            #expect(without.subIndication == .revokedNoPOE)
        }
    }

    @Test("revoked before a time-stamped signature: TOTAL-FAILED/REVOKED", arguments: DatabaseEngine.allCases)
    func revokedBeforeSigning(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            try await fixture.revoke(at: Date().addingTimeInterval(-60))
            let signature = try await fixture.sign(.timestamped)
            let report = try await fixture.validator().validate(
                signature, signed: .document(ValidationFixture.document))
            #expect(report.indication == .totalFailed, "\(report)")
            #expect(report.subIndication == .revoked)
            #expect(report.signatures[0].revocation?.reason == "keyCompromise")
        }
    }

    @Test("on hold: TRY_LATER; resumed: passes again")
    func suspended() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let signature = try await fixture.sign(.basic)
            try await fixture.revoke(.suspend)
            let validator = try await fixture.validator()
            let held = await validator.validate(signature, signed: .document(ValidationFixture.document))
            #expect(held.subIndication == .tryLater, "\(held)")
            try await fixture.revoke(.resume)
            let resumed = await validator.validate(signature, signed: .document(ValidationFixture.document))
            #expect(resumed.indication == .totalPassed, "\(resumed)")
        }
    }

    @Test("an expired chain: OUT_OF_BOUNDS without proof of existence, passes with a time-stamp from when it was valid")
    func expired() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let sixYearsAgo = Date().addingTimeInterval(-6 * 365 * 86_400)
            let clock = SettableClock(sixYearsAgo)
            let fixture = try await ValidationFixture.make(database, clock: clock)
            let basic = try await CAdESSigner(clock: clock).sign(
                ValidationFixture.document, key: Certificate.PrivateKey(fixture.key),
                certificate: fixture.citizen.certificate, chain: [], level: .basic)
            let timestamped = try await fixture.signTimestamped(at: sixYearsAgo.addingTimeInterval(3600))
            clock.set(Date())
            let validator = try await fixture.validator()

            let noProof = await validator.validate(basic, signed: .document(ValidationFixture.document))
            #expect(noProof.indication == .indeterminate, "\(noProof)")
            #expect(noProof.subIndication == .outOfBoundsNotRevoked)

            // Without revocation data the same signature is OUT_OF_BOUNDS_NO_POE.
            let unknown = try await fixture.validator(sources: []).validate(
                basic, signed: .document(ValidationFixture.document))
            #expect(unknown.subIndication == .outOfBoundsNoPOE, "\(unknown)")

            let proven = await validator.validate(timestamped, signed: .document(ValidationFixture.document))
            #expect(proven.indication == .totalPassed, "\(proven)")
            #expect(proven.signatures[0].messages.contains { $0.contains("outside its validity now") })
        }
    }

    @Test("a signer from a root nobody trusts: NO_CERTIFICATE_CHAIN_FOUND")
    func untrustedRoot() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let other = try TrustTestPKI.make()
            let signer = try CMSSigner(key: Certificate.PrivateKey(other.signerKey), certificate: other.signer)
            let signature = try await CMSSignedDataBuilder(signers: [signer], certificates: [other.signer]).sign(
                ValidationFixture.document, detached: true, signingTime: Date())
            let report = try await fixture.validator().validate(
                signature, signed: .document(ValidationFixture.document))
            #expect(report.indication == .indeterminate)
            #expect(report.subIndication == .noCertificateChainFound, "\(report)")
            #expect(report.signatures[0].format == "CAdES-BASELINE-B")

            // Trusting that root instead, the chain is found, and revocation is what is missing.
            let trusting = SignatureValidator(trustAnchors: [other.root])
            let trusted = await trusting.validate(signature, signed: .document(ValidationFixture.document))
            #expect(trusted.subIndication == .tryLater, "\(trusted)")
        }
    }

    @Test("two signers are reported one by one; the document is as good as its worst signature")
    func twoSigners() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let other = try TrustTestPKI.make()
            let signers = [
                try CMSSigner(key: Certificate.PrivateKey(fixture.key), certificate: fixture.citizen.certificate),
                try CMSSigner(key: Certificate.PrivateKey(other.signerKey), certificate: other.signer),
            ]
            let signature = try await CMSSignedDataBuilder(
                signers: signers, certificates: [fixture.citizen.certificate, other.signer]
            ).sign(ValidationFixture.document, detached: false, signingTime: Date())
            // Enveloping: the document travels inside, so none is given.
            let report = try await fixture.validator().validate(signature, signed: .none)
            #expect(report.signatures.count == 2)
            let bySubject = Dictionary(
                uniqueKeysWithValues: report.signatures.map { ($0.signer?.subject ?? "", $0.subIndication) })
            #expect(bySubject.contains { $0.key.contains("Nino Beridze") && $0.value == nil }, "\(report)")
            #expect(bySubject.contains { $0.value == .noCertificateChainFound })
            #expect(report.indication == .indeterminate)
        }
    }

    @Test("a CRL answers instead of the PKI's records: revoked without proof is REVOKED_NO_POE")
    func crlSource() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let signature = try await fixture.sign(.basic)
            let numbers = SerialAllocator(database: database, name: "crl-citizens-ca")
            let before = try await fixture.pki.certificateRevocationList(of: .citizensCA, numbers: numbers)
            try await fixture.revoke()
            let after = try await fixture.pki.certificateRevocationList(of: .citizensCA, numbers: numbers)
            // The root's CRL (an authority revocation list) answers for the citizens CA's own certificate.
            let arl = try await fixture.pki.certificateRevocationList(
                of: .root, numbers: SerialAllocator(database: database, name: "crl-root"))
            let good = try await fixture.validator(sources: [CRLRevocationSource([before, arl])]).validate(
                signature, signed: .document(ValidationFixture.document))
            #expect(good.indication == .totalPassed, "\(good)")
            #expect(good.signatures[0].revocation?.source == "CRL")
            let revoked = try await fixture.validator(sources: [CRLRevocationSource([before, after])]).validate(
                signature, signed: .document(ValidationFixture.document))
            #expect(revoked.subIndication == .revokedNoPOE, "\(revoked)")
            // A CRL signed by someone else is ignored.
            let stranger = try TrustTestPKI.make()
            let forged = try await CertificateRevocationList.sign(
                issuer: stranger.root, key: Certificate.PrivateKey(stranger.rootKey), crlNumber: CRLNumber(1),
                thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(60), entries: [])
            let source = CRLRevocationSource([forged])
            #expect(try await source.status(of: fixture.citizen.certificate, issuer: fixture.chain[0]) == .unknown)
        }
    }

    @Test("bad input: not a signature, no document, a digest instead of the document, a foreign time-stamp")
    func badInput() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let validator = try await fixture.validator()
            for garbage in [[], [0x30, 0x03, 0x02, 0x01], Array("not a signature".utf8)] as [[UInt8]] {
                let report = await validator.validate(garbage, signed: .none)
                #expect(report.indication == .totalFailed)
                #expect(report.subIndication == .formatFailure)
            }
            let signature = try await fixture.sign(.timestamped)
            let missing = await validator.validate(signature, signed: .none)
            #expect(missing.subIndication == .signedDataNotFound)
            let digest = Array(SHA256.hash(data: ValidationFixture.document))
            let byDigest = await validator.validate(signature, signed: .digest(.sha256, digest))
            #expect(byDigest.indication == .totalPassed, "\(byDigest)")
            let wrongAlgorithm = await validator.validate(
                signature, signed: .digest(.sha512, CMSDigestAlgorithm.sha512.hash(ValidationFixture.document)))
            #expect(wrongAlgorithm.subIndication == .signedDataNotFound)

            // Move the time-stamp of another signature onto this one: it proves nothing here.
            let otherToken = try CMSSignedData(contentInfoDER: try await fixture.sign(.timestamped)).signerInfos[0]
                .unsignedAttribute(.CMS.signatureTimeStampToken)!
            var moved = try CMSSignedData(contentInfoDER: try await fixture.sign(.basic))
            moved.signerInfos[0].unsignedAttributes = [otherToken]
            try await fixture.revoke()
            let report = await validator.validate(moved.contentInfoDER, signed: .document(ValidationFixture.document))
            #expect(report.signatures[0].timeStamp?.subIndication == .hashFailure, "\(report)")
            #expect(report.subIndication == .revokedNoPOE)
        }
    }
}
