import Audit
import CivitasCore
import Crypto
import Foundation
import Identity
import Storage
import StorageTesting
import Testing
import Trust

@Suite("Mobile ID devices and login")
struct MobileIDLoginTests {
    @Test(
        "a registered device approves a mobile login, at level high; a revoked one cannot",
        arguments: DatabaseEngine.allCases)
    func approve(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let devices = world.service.devices
            let key = P256.Signing.PrivateKey()
            let device = try await devices.register(
                personalNumber: world.nino.personalNumber, publicKey: key.publicKey, name: "Nino's phone")
            #expect(device.isUsable && device.name == "Nino's phone")
            #expect(try await devices.devices(of: world.nino.personalNumber).map(\.id) == [device.id])

            let (login, secret) = try await world.service.logins.start(method: .mobile, origin: EIDWorld.origin)
            let answered = try await world.service.answer(
                code: login.code, with: world.answer(login, device: device, key: key))
            #expect(answered.credential == "device:\(device.id)")
            guard
                case .completed(let authentication) = try await world.service.logins.finish(
                    id: login.id, browserSecret: secret)
            else {
                Issue.record("the approved login did not complete")
                return
            }
            #expect(authentication.methods == [.mobileDevice] && authentication.level == .high)

            // Someone else's key posing as the device.
            let (forged, _) = try await world.service.logins.start(method: .mobile, origin: EIDWorld.origin)
            let bad = await #expect(throws: IdentityError.self) {
                try await world.service.answer(
                    code: forged.code, with: world.answer(forged, device: device, key: P256.Signing.PrivateKey()))
            }
            #expect(bad?.code == .badSignature)

            let revoked = try await devices.revoke(id: device.id, of: world.nino.personalNumber)
            #expect(!revoked.isUsable)
            let (after, _) = try await world.service.logins.start(method: .mobile, origin: EIDWorld.origin)
            let before = try await world.auditLength()
            let refused = await #expect(throws: IdentityError.self) {
                try await world.service.answer(code: after.code, with: world.answer(after, device: device, key: key))
            }
            #expect(refused?.code == .deviceNotUsable)
            #expect(try await world.service.logins.login(id: after.id).state == .pending)
            #expect(try await world.auditLength() == before)
            let twice = await #expect(throws: IdentityError.self) {
                try await devices.revoke(id: device.id, of: world.nino.personalNumber)
            }
            #expect(twice?.code == .invalidTransition)
        }
    }

    @Test(
        "unknown devices, answers of the wrong kind and bad registrations are refused",
        arguments: DatabaseEngine.allCases)
    func refusals(engine: DatabaseEngine) async throws {
        try await EIDWorld.with(engine) { world in
            let devices = world.service.devices
            let key = P256.Signing.PrivateKey()
            let device = try await devices.register(
                personalNumber: world.nino.personalNumber, publicKey: key.publicKey, name: "phone")

            let (mobile, _) = try await world.service.logins.start(method: .mobile, origin: EIDWorld.origin)
            let signed = try world.answer(mobile, device: device, key: key)
            let unknown = DeviceLoginAnswer(
                signedAt: signed.signedAt, signature: signed.signature,
                credential: .device(id: String(repeating: "a", count: 32)))
            let missing = await #expect(throws: IdentityError.self) {
                try await world.service.answer(code: mobile.code, with: unknown)
            }
            #expect(missing?.code == .deviceNotUsable)
            let (cardKey, card) = try await world.card(for: world.nino)
            let wrongKind = await #expect(throws: IdentityError.self) {
                try await world.service.answer(
                    code: mobile.code, with: world.answer(mobile, key: cardKey, certificate: card.certificate))
            }
            #expect(wrongKind?.code == .malformedAnswer)
            let (cardLogin, _) = try await world.service.logins.start(method: .card, origin: EIDWorld.origin)
            let deviceForCard = await #expect(throws: IdentityError.self) {
                try await world.service.answer(
                    code: cardLogin.code, with: world.answer(cardLogin, device: device, key: key))
            }
            #expect(deviceForCard?.code == .malformedAnswer)
            #expect(try await world.service.logins.login(id: mobile.id).state == .pending)

            let again = await #expect(throws: IdentityError.self) {
                try await devices.register(
                    personalNumber: world.late.personalNumber, publicKey: key.publicKey, name: "same key")
            }
            #expect(again?.code == .personNotEligible)
            let duplicate = await #expect(throws: IdentityError.self) {
                try await devices.register(
                    personalNumber: world.nino.personalNumber, publicKey: key.publicKey, name: "x")
            }
            #expect(duplicate?.code == .alreadyRegistered)
            for name in ["", "   ", String(repeating: "x", count: 65), "tab\there"] {
                let bad = await #expect(throws: IdentityError.self) {
                    try await devices.register(
                        personalNumber: world.nino.personalNumber, publicKey: P256.Signing.PrivateKey().publicKey,
                        name: name)
                }
                #expect(bad?.code == .invalidRecord, "\(name)")
            }
            let nobody = await #expect(throws: IdentityError.self) {
                try await devices.register(
                    personalNumber: PersonalNumber(serial: 9_009_099), publicKey: P256.Signing.PrivateKey().publicKey,
                    name: "phone")
            }
            #expect(nobody?.code == .personNotEligible)
            // Another person cannot revoke Nino's device, and learns nothing about it.
            let other = await #expect(throws: IdentityError.self) {
                try await devices.revoke(id: device.id, of: world.late.personalNumber)
            }
            #expect(other?.code == .notFound)
            #expect(try await devices.device(id: device.id)?.isUsable == true)
            #expect(try await devices.devices(of: world.late.personalNumber).isEmpty)
        }
    }
}
