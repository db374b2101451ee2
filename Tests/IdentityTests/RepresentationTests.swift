import Audit
import CivitasCore
import Foundation
import Identity
import Storage
import StorageTesting
import Testing
import Trust

@Suite("Representation and electronic powers of attorney")
struct RepresentationTests {
    @Test(
        "a power is drafted, signed with a qualified signature, accepted, then revoked; each step audited for both",
        arguments: DatabaseEngine.allCases)
    func lifecycle(engine: DatabaseEngine) async throws {
        try await RepresentationWorld.with(engine) { world in
            let nino = world.nino.personalNumber
            let giorgi = world.giorgi.personalNumber
            let draft = try await world.draft()
            #expect(draft.state(on: world.today) == .drafted)
            #expect(!draft.isInForce(on: world.today))
            #expect(draft.document.verificationURL == "\(RepresentationWorld.publicURL)/powers-of-attorney/\(draft.id)")
            #expect(try await world.powers.principals(of: giorgi).isEmpty, "a draft empowers nobody")

            let signature = try await world.sign(draft.document.encoded, with: try await world.signer(world.nino))
            let signed = try await world.powers.sign(draft.id, signature: signature, by: nino)
            #expect(signed.state(on: world.today) == .signed)
            #expect(signed.signature == signature)
            #expect(signed.validation?.indication == .totalPassed)
            #expect(signed.validation?.signatures.first?.signer?.qualified == true)
            #expect(try await world.powers.principals(of: giorgi).isEmpty, "not accepted yet")

            let accepted = try await world.powers.accept(draft.id, by: giorgi)
            #expect(accepted.isInForce(on: world.today))
            let choices = try await world.powers.principals(of: giorgi, service: "registry-portal")
            #expect(choices.map(\.principal) == [.person(nino)])
            #expect(choices.first?.power == draft.id)
            #expect(try await world.powers.principals(of: giorgi, service: "tax-office").isEmpty)
            #expect(try await world.powers.given(by: nino).map(\.id) == [draft.id])
            #expect(try await world.powers.held(by: giorgi).map(\.id) == [draft.id])
            #expect(try await world.powers.held(by: nino).isEmpty)

            let revoked = try await world.powers.revoke(draft.id, by: nino)
            #expect(revoked.state(on: world.today) == .revoked)
            #expect(revoked.events.map(\.kind) == [.drafted, .signed, .accepted, .revoked])
            #expect(try await world.powers.principals(of: giorgi).isEmpty)

            for person in [nino, giorgi] {
                let entries = try await world.eid.audit.entries(
                    about: DataSubject(kind: "person", identifier: person.rawValue), limit: 50
                ).entries.filter { $0.event.object.type == "power-of-attorney" }
                #expect(
                    entries.map(\.event.action).reversed() == [
                        "identity.power.draft", "identity.power.sign", "identity.power.accept",
                        "identity.power.revoke",
                    ], "\(person)")
            }
            guard case .intact = try await world.eid.audit.verify() else {
                Issue.record("the audit chain is broken")
                return
            }
        }
    }

    @Test(
        "garbage, another document, another signer, a non-qualified or revoked certificate: refused, nothing changes",
        arguments: DatabaseEngine.allCases)
    func badSignatures(engine: DatabaseEngine) async throws {
        try await RepresentationWorld.with(engine) { world in
            let nino = world.nino.personalNumber
            let draft = try await world.draft()
            let document = draft.document.encoded
            let qualified = try await world.signer(world.nino)
            let authentication = try await world.signer(world.nino, profile: .citizenAuthentication)
            let revoked = try await world.signer(world.nino)
            try await world.eid.pki.change(
                issuer: revoked.certificate.issuer, serial: revoked.certificate.serial, .revoke(.keyCompromise),
                actor: EIDWorld.official)
            var other = document
            other[other.count - 3] ^= 0x01
            let cases: [(String, [UInt8])] = [
                ("empty", []),
                ("garbage", Array("not a signature at all".utf8)),
                ("truncated", Array(try await world.sign(document, with: qualified).prefix(200))),
                ("another document", try await world.sign(other, with: qualified)),
                ("another person", try await world.sign(document, with: try await world.signer(world.giorgi))),
                ("not qualified", try await world.sign(document, with: authentication)),
                ("revoked signer", try await world.sign(document, with: revoked)),
                ("enveloping another", try await world.sign(other, with: qualified, enveloping: true)),
                ("oversized", [UInt8](repeating: 0x30, count: QualifiedSignatureCheck.maximumLength + 1)),
            ]
            let before = try await world.eid.auditLength()
            for (name, signature) in cases {
                let error = await #expect(throws: IdentityError.self, "\(name)") {
                    try await world.powers.sign(draft.id, signature: signature, by: nino)
                }
                #expect(error?.code == .signatureRejected, "\(name): \(String(describing: error))")
            }
            #expect(try await world.eid.auditLength() == before)
            let unchanged = try #require(try await world.powers.power(draft.id))
            #expect(unchanged.state(on: world.today) == .drafted && unchanged.signature == nil)
            // The right signature still goes through afterwards, once.
            let good = try await world.sign(document, with: qualified)
            _ = try await world.powers.sign(draft.id, signature: good, by: nino)
            let again = await #expect(throws: IdentityError.self) {
                try await world.powers.sign(draft.id, signature: good, by: nino)
            }
            #expect(again?.code == .invalidTransition)
        }
    }

    @Test("every step refuses the wrong person, and says so before the state", arguments: DatabaseEngine.allCases)
    func wrongPeople(engine: DatabaseEngine) async throws {
        try await RepresentationWorld.with(engine) { world in
            let nino = world.nino.personalNumber
            let giorgi = world.giorgi.personalNumber
            let eka = world.eka.personalNumber
            let forOther = await #expect(throws: IdentityError.self) {
                try await world.draft(principal: .person(nino), by: world.eka)
            }
            #expect(forOther?.code == .notPermitted)
            let draft = try await world.draft()
            let signature = try await world.sign(draft.document.encoded, with: try await world.signer(world.nino))
            for person in [giorgi, eka] {
                let error = await #expect(throws: IdentityError.self) {
                    try await world.powers.sign(draft.id, signature: signature, by: person)
                }
                #expect(error?.code == .notPermitted)
            }
            _ = try await world.powers.sign(draft.id, signature: signature, by: nino)
            let refusals: [(String, @Sendable () async throws -> PowerOfAttorney)] = [
                ("principal accepts", { try await world.powers.accept(draft.id, by: nino) }),
                ("stranger accepts", { try await world.powers.accept(draft.id, by: eka) }),
                ("attorney revokes", { try await world.powers.revoke(draft.id, by: giorgi) }),
                ("stranger revokes", { try await world.powers.revoke(draft.id, by: eka) }),
                ("principal renounces", { try await world.powers.renounce(draft.id, by: nino) }),
                ("stranger renounces", { try await world.powers.renounce(draft.id, by: eka) }),
            ]
            let before = try await world.eid.auditLength()
            for (name, attempt) in refusals {
                let error = await #expect(throws: IdentityError.self, "\(name)") { try await attempt() }
                #expect(error?.code == .notPermitted, "\(name)")
            }
            #expect(try await world.eid.auditLength() == before)
            let unknown = await #expect(throws: IdentityError.self) {
                try await world.powers.accept("AAAAAAAAAAAAAAAAAAAAAA", by: giorgi)
            }
            #expect(unknown?.code == .notFound)
            #expect(try await world.powers.power("../etc/passwd") == nil)
            let renounced = try await world.powers.renounce(draft.id, by: giorgi)
            #expect(renounced.state(on: world.today) == .renounced)
            let late = await #expect(throws: IdentityError.self) { try await world.powers.accept(draft.id, by: giorgi) }
            #expect(late?.code == .invalidTransition)
        }
    }

    @Test(
        "dates out of order, in the past or too long, self-empowerment and dead attorneys are refused; powers expire",
        arguments: DatabaseEngine.allCases)
    func dates(engine: DatabaseEngine) async throws {
        try await RepresentationWorld.with(engine) { world in
            let nino = world.nino.personalNumber
            let scope = try ServiceScope(codes: ["registry-portal"])
            let bad: [(String, PowersOfAttorney.Draft)] = [
                (
                    "reversed",
                    .init(
                        principal: .person(nino), attorney: world.giorgi.personalNumber, services: scope,
                        validFrom: world.day(10), validUntil: world.day(5))
                ),
                (
                    "past",
                    .init(
                        principal: .person(nino), attorney: world.giorgi.personalNumber, services: scope,
                        validFrom: world.day(-10), validUntil: world.day(-1))
                ),
                (
                    "too long",
                    .init(
                        principal: .person(nino), attorney: world.giorgi.personalNumber, services: scope,
                        validFrom: world.today, validUntil: world.day(6 * 366))
                ),
                (
                    "self",
                    .init(
                        principal: .person(nino), attorney: nino, services: scope,
                        validFrom: world.today, validUntil: world.day(5))
                ),
                (
                    "deceased",
                    .init(
                        principal: .person(nino), attorney: world.eid.late.personalNumber, services: scope,
                        validFrom: world.today, validUntil: world.day(5))
                ),
            ]
            for (name, draft) in bad {
                let error = await #expect(throws: IdentityError.self, "\(name)") {
                    try await world.powers.draft(draft, by: nino)
                }
                #expect(error?.code == .invalidRecord, "\(name)")
            }
            for codes in [[], ["Registry Portal"], ["a/b"], [String(repeating: "a", count: 65)]] {
                #expect(throws: IdentityError.self, "\(codes)") { try ServiceScope(codes: codes) }
            }
            let power = try await world.acceptedPower()
            #expect(power.isInForce(on: world.today))
            world.eid.clock.advance(by: 367 * 86_400)
            let later = try #require(try await world.powers.power(power.id))
            #expect(later.state(on: world.today) == .expired)
            #expect(!later.isInForce(on: world.today))
            #expect(try await world.powers.principals(of: world.giorgi.personalNumber).isEmpty)
            let error = await #expect(throws: IdentityError.self) { try await world.powers.revoke(power.id, by: nino) }
            #expect(error?.code == .invalidTransition)
        }
    }

    @Test(
        "a sole director gives a power for the company; a joint board member or a stranger cannot",
        arguments: DatabaseEngine.allCases)
    func legalEntities(engine: DatabaseEngine) async throws {
        try await RepresentationWorld.with(engine) { world in
            let company = Principal.organisation(RepresentationWorld.company)
            let director = world.nino.personalNumber
            let choices = try await world.powers.principals(of: director)
            #expect(choices.map(\.principal) == [company], "the director acts for the company directly")
            #expect(try await world.powers.principals(of: world.eka.personalNumber).isEmpty, "joint only")
            for person in [world.eka, world.giorgi] {
                let error = await #expect(throws: IdentityError.self) {
                    try await world.draft(principal: company, by: person)
                }
                #expect(error?.code == .notPermitted, "\(person.name.givenLatin)")
            }
            let power = try await world.acceptedPower(principal: company)
            #expect(power.document.principalName == "Nimushi LLC")
            #expect(power.document.signatoryRole == "director")
            let held = try await world.powers.principals(of: world.giorgi.personalNumber, service: "registry-portal")
            #expect(held.map(\.principal) == [company])
            let companyEntries = try await world.eid.audit.entries(
                about: DataSubject(kind: "organisation", identifier: RepresentationWorld.company.rawValue), limit: 50
            ).entries.filter { $0.event.object.type == "power-of-attorney" }
            #expect(companyEntries.count == 3)
            #expect(
                companyEntries.first { $0.event.action == "identity.power.sign" }?.event.actor.onBehalfOf
                    == company.description, "the director signs on the company's behalf")

            // The director's right ends: the entity record changes, the power stays the company's.
            try await world.entities.record(
                Representative(
                    entity: RepresentationWorld.company, personalNumber: director, role: "director", right: .sole,
                    from: world.day(-30), until: world.day(-1)),
                actor: EIDWorld.official, purpose: "test registry")
            #expect(try await world.powers.principals(of: director).isEmpty)
            let unknown = await #expect(throws: IdentityError.self) {
                try await world.entities.record(
                    Representative(
                        entity: try RegistryCode("111111111"), personalNumber: director, role: "director",
                        right: .sole, from: world.today),
                    actor: EIDWorld.official, purpose: "test")
            }
            #expect(unknown?.code == .notFound)
            for code in ["", "12345678", "1234567890", "12345678a"] {
                #expect(throws: IdentityError.self, "\(code)") { try RegistryCode(code) }
            }
        }
    }

    @Test("the document is canonical JSON that reads back to itself; anything else is refused")
    func canonicalDocument() throws {
        let document = PowerOfAttorneyDocument(
            id: "AAAAAAAAAAAAAAAAAAAAAA", principal: .person(PersonalNumber(serial: 1_001_011)),
            principalName: "ნინო Beridze", signatory: PersonalNumber(serial: 1_001_011), signatoryName: "Nino",
            signatoryRole: "principal", attorney: PersonalNumber(serial: 3_003_033), attorneyName: "Giorgi",
            services: .all, validFrom: try CalendarDate("2026-12-01"), validUntil: try CalendarDate("2027-11-30"),
            draftedAt: Date(timeIntervalSince1970: 1_796_000_000.75), verificationURL: "https://x.example/p/1")
        let bytes = document.encoded
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"attorney":{"name":"Giorgi","personalNumber":"#))
        #expect(text.contains(#""services":["*"]"#) && text.contains("https://x.example/p/1"))
        #expect(!text.contains(" \""), "no insignificant whitespace")
        #expect(try PowerOfAttorneyDocument(decoding: bytes) == document)
        let spaced = Array(text.replacingOccurrences(of: ",", with: ", ").utf8)
        for bad in [spaced, Array(bytes.dropLast()), [], Array("[]".utf8), Array("{\"format\":1}".utf8)] {
            #expect(throws: IdentityError.self) { try PowerOfAttorneyDocument(decoding: bad) }
        }
    }
}
