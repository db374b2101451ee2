import Audit
import CivitasCore
import Crypto
import Foundation
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust
import X509

@Suite("eID card login")
struct EIDCardLoginTests {
    /// Runs `answer` against a fresh card login and expects `code`; the login stays pending and nothing is
    /// audited.
    static func expectRefusal(
        _ world: EIDWorld, _ code: IdentityError.Code,
        _ answer: (DeviceLogin) async throws -> DeviceLoginAnswer, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (login, _) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
        let before = try await world.auditLength()
        let made = try await answer(login)
        let error = await #expect(throws: IdentityError.self, sourceLocation: sourceLocation) {
            try await world.service.answer(code: login.code, with: made)
        }
        #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(try await world.service.logins.login(id: login.id).state == .pending, sourceLocation: sourceLocation)
        #expect(try await world.auditLength() == before, "a refusal is not audited", sourceLocation: sourceLocation)
    }

    @Test("a card answer logs the browser that started it in, once, at level high", arguments: DatabaseEngine.allCases)
    func cardLogin(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let (key, stored) = try await world.card(for: world.nino)
            let (login, secret) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            #expect(login.state == .pending && login.challenge.count == 32)
            #expect(login.expiresAt.timeIntervalSince(login.createdAt) == DeviceLogins.lifetime)
            #expect(try await world.service.logins.finish(id: login.id, browserSecret: secret) == .waiting(login))

            let answered = try await world.service.answer(
                code: login.code, with: world.answer(login, key: key, certificate: stored.certificate))
            #expect(answered.state == .answered)
            #expect(answered.personalNumber == world.nino.personalNumber)
            #expect(answered.credential == "certificate:citizens-ca/\(stored.serial)")

            let wrong = await #expect(throws: IdentityError.self) {
                try await world.service.logins.finish(id: login.id, browserSecret: "another browser's secret")
            }
            #expect(wrong?.code == .wrongBrowser)
            let none = await #expect(throws: IdentityError.self) {
                try await world.service.logins.finish(id: login.id, browserSecret: nil)
            }
            #expect(none?.code == .wrongBrowser)
            #expect(try await world.service.logins.login(id: login.id).state == .answered, "still there to finish")

            guard
                case .completed(let authentication) = try await world.service.logins.finish(
                    id: login.id, browserSecret: secret)
            else {
                Issue.record("the answered login did not complete")
                return
            }
            #expect(authentication.personalNumber == world.nino.personalNumber)
            #expect(authentication.methods == [.smartCard])
            #expect(authentication.level == .high)
            let again = await #expect(throws: IdentityError.self) {
                try await world.service.logins.finish(id: login.id, browserSecret: secret)
            }
            #expect(again?.code == .loginAlreadyUsed)
            let replay = await #expect(throws: IdentityError.self) {
                try await world.service.answer(
                    code: login.code, with: world.answer(login, key: key, certificate: stored.certificate))
            }
            #expect(replay?.code == .loginAlreadyUsed)
            let actions = try await world.audit.entries(
                about: DataSubject(kind: "person", identifier: world.nino.personalNumber.rawValue)
            ).entries.map(\.event.action)
            #expect(
                actions.filter { $0.hasPrefix("identity.login.") }.sorted() == [
                    "identity.login.answer", "identity.login.complete",
                ])
        }
    }

    @Test("an answer replayed to the same login is refused and changes nothing", arguments: DatabaseEngine.allCases)
    func replay(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let (key, stored) = try await world.card(for: world.nino)
            let (login, _) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            let answer = try world.answer(login, key: key, certificate: stored.certificate)
            try await world.service.answer(code: login.code, with: answer)
            let before = try await world.auditLength()
            let replayed = await #expect(throws: IdentityError.self) {
                try await world.service.answer(code: login.code, with: answer)
            }
            #expect(replayed?.code == .loginAlreadyUsed)
            #expect(try await world.auditLength() == before)
            // The same signature on another login's code fails: the challenge and code are signed.
            let (other, _) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            let moved = await #expect(throws: IdentityError.self) {
                try await world.service.answer(code: other.code, with: answer)
            }
            #expect(moved?.code == .badSignature)
            #expect(try await world.service.logins.login(id: other.id).state == .pending)
        }
    }

    @Test("revoked and suspended certificates are refused by their OCSP status", arguments: DatabaseEngine.allCases)
    func revocation(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let revoked = try await world.card(for: world.nino)
            try await world.pki.change(
                issuer: "citizens-ca", serial: revoked.certificate.serial, .revoke(.keyCompromise),
                actor: EIDWorld.official)
            try await Self.expectRefusal(world, .certificateRevoked) { login in
                try world.answer(login, key: revoked.key, certificate: revoked.certificate.certificate)
            }
            let held = try await world.card(for: world.nino)
            try await world.pki.change(
                issuer: "citizens-ca", serial: held.certificate.serial, .suspend, actor: EIDWorld.official)
            try await Self.expectRefusal(world, .certificateSuspended) { login in
                try world.answer(login, key: held.key, certificate: held.certificate.certificate)
            }
            // Resumed, it works again: the status is asked afresh each time.
            try await world.pki.change(
                issuer: "citizens-ca", serial: held.certificate.serial, .resume, actor: EIDWorld.official)
            let (login, _) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            let answered = try await world.service.answer(
                code: login.code, with: world.answer(login, key: held.key, certificate: held.certificate.certificate))
            #expect(answered.state == .answered)
        }
    }

    @Test("expired, foreign-CA and wrong-profile certificates are refused", arguments: DatabaseEngine.allCases)
    func certificates(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            // Issued six years ago for five years: expired now.
            let past = PastClock(seconds: -6 * 365 * 86_400)
            let oldPKI = NationalPKI(
                database: world.database, keyStore: world.keyStore, audit: world.audit,
                baseURL: "https://trust.civitas.example", clock: past)
            let expired = try await world.card(for: world.nino, pki: oldPKI)
            try await Self.expectRefusal(world, .certificateExpired) { login in
                try world.answer(login, key: expired.key, certificate: expired.certificate.certificate)
            }
            // The qualified signature certificate of the same person is for signing, not logging in.
            let signing = try await world.card(for: world.nino, profile: .citizenQualifiedSignature)
            try await Self.expectRefusal(world, .wrongCertificateProfile) { login in
                try world.answer(login, key: signing.key, certificate: signing.certificate.certificate)
            }
            // A TLS certificate from the organisations CA does not chain through the citizens CA.
            let tls = try await world.card(for: world.nino, profile: .tlsNode)
            try await Self.expectRefusal(world, .untrustedCertificate) { login in
                try world.answer(login, key: tls.key, certificate: tls.certificate.certificate)
            }
            // Another country's PKI, in the same shape, with the same subject.
            try await TestDatabase.with(.sqlite, migrations: AuditLog.migrations + NationalPKI.migrations) { other in
                let foreign = NationalPKI(
                    database: other,
                    keyStore: SoftwareKeyStore(database: other, encryptionKey: KeyEncryptionKey.generate().key),
                    audit: AuditLog(database: other), baseURL: "https://trust.elsewhere.example")
                try await foreign.initialise()
                let card = try await world.card(for: world.nino, pki: foreign)
                try await Self.expectRefusal(world, .untrustedCertificate) { login in
                    try world.answer(login, key: card.key, certificate: card.certificate.certificate)
                }
            }
        }
    }

    @Test("forged signatures, bad times and wrong persons are refused", arguments: DatabaseEngine.allCases)
    func answers(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let (key, stored) = try await world.card(for: world.nino)
            let certificate = stored.certificate
            try await Self.expectRefusal(world, .badSignature) { login in
                try world.answer(login, key: key, certificate: certificate, challenge: Array(repeating: 7, count: 32))
            }
            try await Self.expectRefusal(world, .badSignature) { login in
                try world.answer(login, key: P256.Signing.PrivateKey(), certificate: certificate)
            }
            try await Self.expectRefusal(world, .badSignature) { login in
                let good = try world.answer(login, key: key, certificate: certificate)
                var signature = good.signature
                signature[signature.count - 1] ^= 1
                return DeviceLoginAnswer(
                    signedAt: good.signedAt, signature: signature, credential: good.credential)
            }
            try await Self.expectRefusal(world, .signingTimeOutOfRange) { login in
                try world.answer(
                    login, key: key, certificate: certificate,
                    signedAt: Int64(login.createdAt.timeIntervalSince1970) - 3600)
            }
            try await Self.expectRefusal(world, .signingTimeOutOfRange) { login in
                try world.answer(
                    login, key: key, certificate: certificate,
                    signedAt: Int64(login.createdAt.timeIntervalSince1970) + 600)
            }
            for time in [-5, Int64.max, Int64.min] {
                try await Self.expectRefusal(world, .signingTimeOutOfRange) { login in
                    let good = try world.answer(login, key: key, certificate: certificate)
                    return DeviceLoginAnswer(signedAt: time, signature: good.signature, credential: good.credential)
                }
            }
            // The card of a deceased person, and of a number nobody holds.
            let late = try await world.card(for: world.late)
            try await Self.expectRefusal(world, .personNotEligible) { login in
                try world.answer(login, key: late.key, certificate: late.certificate.certificate)
            }
            let stranger = EIDWorld.person(serial: 9_009_099, given: "ანა", family: "ლომიძე", latin: ("Ana", "Lomidze"))
            let unknown = try await world.card(for: stranger)
            try await Self.expectRefusal(world, .personNotEligible) { login in
                try world.answer(login, key: unknown.key, certificate: unknown.certificate.certificate)
            }
            // No personal number, another country's, and a bad check digit.
            for value in [
                "", "PNOGE-\(world.nino.personalNumber)", "PNOCV-01001012", "IDCCV-\(world.nino.personalNumber)",
            ] {
                var attributes: [RelativeDistinguishedName] = [
                    RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "Nino Beridze"))
                ]
                if !value.isEmpty {
                    attributes.append(
                        RelativeDistinguishedName(
                            try .init(type: PersonalNumberSemantics.serialNumberAttribute, printableString: value)))
                }
                let card = try await world.card(for: world.nino, subject: DistinguishedName(attributes))
                try await Self.expectRefusal(world, .noPersonalNumber) { login in
                    try world.answer(login, key: card.key, certificate: card.certificate.certificate)
                }
            }
        }
    }

    @Test(
        "a login past its two minutes is refused, marked expired, and cannot be finished",
        arguments: DatabaseEngine.allCases)
    func expiry(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let (key, stored) = try await world.card(for: world.nino)
            let (login, secret) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            let answer = try world.answer(login, key: key, certificate: stored.certificate)
            world.clock.advance(by: DeviceLogins.lifetime + 1)
            let late = await #expect(throws: IdentityError.self) {
                try await world.service.answer(code: login.code, with: answer)
            }
            #expect(late?.code == .loginExpired)
            let finish = await #expect(throws: IdentityError.self) {
                try await world.service.logins.finish(id: login.id, browserSecret: secret)
            }
            #expect(finish?.code == .loginExpired)
            let state = try await world.database.read { sql in
                try await sql.raw("SELECT state FROM identity_device_logins WHERE id = \(bind: login.id)").first()?
                    .decode(column: "state", as: String.self)
            }
            #expect(state == "expired")

            // Answered in time but finished too late.
            world.clock.advance(by: -(DeviceLogins.lifetime + 1))
            let (second, secondSecret) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            try await world.service.answer(
                code: second.code, with: world.answer(second, key: key, certificate: stored.certificate))
            world.clock.advance(by: DeviceLogins.lifetime + 1)
            let tooLate = await #expect(throws: IdentityError.self) {
                try await world.service.logins.finish(id: second.id, browserSecret: secondSecret)
            }
            #expect(tooLate?.code == .loginExpired)
        }
    }

    @Test("an OCSP answer that does not echo our nonce, or is not one, leaves the status unknown")
    func untrustworthyOCSP() async throws {
        try await EIDWorld.with(.sqlite) { world in
            let (_, stored) = try await world.card(for: world.nino)
            let responder = try await world.pki.ocspResponder()
            let root = try await world.pki.certificate(role: .root).certificate
            let citizens = try await world.pki.certificate(role: .citizensCA).certificate
            let transports: [any OCSPTransport] = [ReplayingTransport(responder: responder), GarbageTransport()]
            for transport in transports {
                let check = CitizenCertificateCheck(root: root, citizensCA: citizens, ocsp: transport)
                let error = await #expect(throws: IdentityError.self) {
                    try await check.personalNumber(of: stored.certificate, at: Date())
                }
                #expect(error?.code == .revocationUnknown)
            }
            let check = CitizenCertificateCheck(
                root: root, citizensCA: citizens, ocsp: LocalOCSPTransport(responder: responder))
            #expect(try await check.personalNumber(of: stored.certificate, at: Date()) == world.nino.personalNumber)
        }
    }
}

/// A clock set `seconds` from now.
struct PastClock: WallClock {
    let seconds: TimeInterval
    func now() -> Date { Date().addingTimeInterval(seconds) }
}

/// A stand-in for a misbehaving responder (the seam is ours: ``OCSPTransport``): it asks the real responder
/// without the nonce, so its genuinely signed answer does not echo ours.
struct ReplayingTransport: OCSPTransport {
    let responder: OCSPResponder
    func send(_ request: [UInt8]) async throws -> [UInt8] {
        let parsed = try OCSPRequest(derEncoded: request)
        let stripped = try OCSPRequest(certIDs: parsed.certIDs, nonce: nil)
        return await responder.respond(to: stripped.derEncoded, at: Date())
    }
}

/// Answers bytes that are not an OCSP response.
struct GarbageTransport: OCSPTransport {
    func send(_ request: [UInt8]) async throws -> [UInt8] { [0x30, 0x03, 0x0A, 0x01, 0x00] }
}
