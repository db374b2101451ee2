import Audit
import Crypto
import Foundation
import Storage
import StorageTesting
import SwiftASN1
import Testing
import Trust

@testable import Exchange

@Suite("Message manifests and seals")
struct MessageSealTests {
    static let actor = AuditActor(kind: .official, id: "exchange-test")
    static let migrations = AuditLog.migrations + NationalPKI.migrations

    static func request(body: String = #"{"personalNumber":"01001011116"}"#) throws -> MessageManifest {
        try MessageManifest(
            queryID: "7c3a-11", kind: .request, client: "CV/GOV/70000001/portal",
            service: "CV/GOV/70000002/population/persons/v1",
            parts: [
                MessagePart(contentType: MessagePart.restRequest, bytes: Array("POST /persons HTTP/1.1\r\n".utf8)),
                MessagePart(contentType: MessagePart.restBody, bytes: Array(body.utf8)),
            ])
    }

    @Test("a manifest survives its DER, and a response names its request by hash")
    func manifestRoundTrip() throws {
        let request = try Self.request()
        let decoded = try MessageManifest(derEncoded: try request.derEncoded())
        #expect(decoded == request)
        let response = try MessageManifest(
            queryID: request.queryID, kind: .response, client: request.client, service: request.service,
            requestHash: try request.hash(),
            parts: [MessagePart(contentType: MessagePart.restResponse, bytes: Array("HTTP/1.1 200 OK\r\n".utf8))])
        let back = try MessageManifest(derEncoded: try response.derEncoded())
        #expect(back.requestHash == Array(SHA256.hash(data: try request.derEncoded())))
        #expect(try Self.request(body: "other").hash() != request.hash())
    }

    @Test("bad manifests are refused: no parts, a response without its request, bad DER, trailing fields")
    func badManifests() throws {
        #expect(throws: ExchangeError.self) {
            try MessageManifest(queryID: "q", kind: .request, client: "c", service: "s", parts: [])
        }
        #expect(throws: ExchangeError.self) {
            try MessageManifest(
                queryID: "q", kind: .response, client: "c", service: "s",
                parts: [MessagePart(contentType: "x", bytes: [1])])
        }
        #expect(throws: ExchangeError.self) {
            try MessageManifest(
                queryID: "", kind: .request, client: "c", service: "s",
                parts: [MessagePart(contentType: "x", bytes: [1])])
        }
        let der = try Self.request().derEncoded()
        for cut in [1, der.count / 2, der.count - 1] {
            #expect(throws: (any Error).self) { _ = try MessageManifest(derEncoded: Array(der.prefix(cut))) }
        }
        // An extra INTEGER inside the SEQUENCE after the parts.
        var extended = Array(der.dropFirst(2))
        extended += [0x02, 0x01, 0x07]
        #expect(throws: (any Error).self) {
            _ = try MessageManifest(derEncoded: [0x30, UInt8(extended.count)] + extended)
        }
        // Version 2 is unknown.
        var version2 = der
        let versionAt = try #require(version2.firstIndex(of: 0x02))
        version2[versionAt + 2] = 2
        #expect(throws: (any Error).self) { _ = try MessageManifest(derEncoded: version2) }
    }

    @Test(
        "a seal verifies for its member; a changed part, another member and a revoked seal are refused",
        arguments: DatabaseEngine.allCases)
    func seals(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let pki = NationalPKI(
                database: database,
                keyStore: SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key),
                audit: AuditLog(database: database), baseURL: "https://trust.example")
            try await pki.initialise()
            let registry = try await pki.createSeal(
                name: "population", organisation: "Population Agency", organisationIdentifier: "GOV-70000002",
                actor: Self.actor)
            _ = try await pki.createSeal(
                name: "portal", organisation: "Portal Agency", organisationIdentifier: "GOV-70000001", actor: Self.actor
            )
            let (key, certificate) = try await pki.seal(named: "population")
            let signer = CAdESSigner.Signer(key: key, certificate: certificate.certificate)
            let manifest = try Self.request()
            let seal = try await MessageSeal.seal(manifest, signer: signer)
            let validator = try await pki.validator()
            let isPopulation = { (summary: SignatureValidationReport.CertificateSummary) in
                summary.serialNumber == registry.serial
            }
            let report = try await seal.verify(manifest, with: validator, acceptsSigner: isPopulation)
            #expect(report.indication == .totalPassed)

            // The body changed on the way: its digest no longer matches what was sealed.
            let changed = await #expect(throws: ExchangeError.self) {
                try await seal.verify(try Self.request(body: "{}"), with: validator, acceptsSigner: isPopulation)
            }
            #expect(changed?.code == .sealRefused)
            #expect(changed?.message.contains("HASH_FAILURE") == true || changed?.message.contains("hash") == true)

            // Sealed by another member than the one the message claims to come from.
            let (portalKey, portal) = try await pki.seal(named: "portal")
            let foreign = try await MessageSeal.seal(
                manifest, signer: CAdESSigner.Signer(key: portalKey, certificate: portal.certificate))
            let wrongMember = await #expect(throws: ExchangeError.self) {
                try await foreign.verify(manifest, with: validator, acceptsSigner: isPopulation)
            }
            #expect(wrongMember?.message.contains("not by the member") == true)

            // Garbage instead of a signature.
            await #expect(throws: ExchangeError.self) {
                try await MessageSeal(signature: [0x30, 0x03, 0x02, 0x01, 0x01]).verify(
                    manifest, with: validator, acceptsSigner: isPopulation)
            }

            // Revoked: refused from then on.
            try await pki.change(
                issuer: registry.issuer, serial: registry.serial, .revoke(.keyCompromise), actor: Self.actor)
            let revoked = await #expect(throws: ExchangeError.self) {
                try await seal.verify(manifest, with: validator, acceptsSigner: isPopulation)
            }
            #expect(revoked?.message.contains("REVOKED") == true, "\(revoked?.message ?? "")")
        }
    }
}
