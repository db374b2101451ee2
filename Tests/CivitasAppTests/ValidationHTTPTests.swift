import Audit
import CivitasApp
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import StorageTesting
import Testing
import Trust
import X509

@Suite("Signature validation over HTTP")
struct ValidationHTTPTests {
    static let document = Array("Extract from the civil registry".utf8)

    /// A B-T seal made with the node's own PKI.
    static func seal(_ pki: NationalPKI, database: Database) async throws -> [UInt8] {
        _ = try await pki.createSeal(
            name: "registry", organisation: "Civil Registry Agency", organisationIdentifier: "GOV-700000015",
            actor: AuditActor(kind: .official, id: "test"))
        let seal = try await pki.seal(named: "registry")
        let tsa = try await pki.timeStampAuthority(serials: SerialAllocator(database: database, name: "tsa"))
        return try await CAdESSigner().sign(
            document, key: seal.key, certificate: seal.certificate.certificate, chain: [], level: .timestamped,
            timeStamping: tsa)
    }

    static func post(_ client: any TestClientProtocol, _ json: [String: Any]) async throws -> TestResponse {
        try await client.execute(
            uri: "/validation/signatures", method: .post,
            headers: [.contentType: "application/json", .accept: "application/json"],
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
    }

    static func report(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test(
        "a seal validates with its document or its digest; a changed document is HASH_FAILURE",
        arguments: DatabaseEngine.allCases)
    func validates(engine: DatabaseEngine) async throws {
        try await TestNode.with(engine) { client, database, configuration in
            let pki = try Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger)
            try await pki.initialise()
            let signature = Data(try await Self.seal(pki, database: database)).base64EncodedString()

            let passed = try await Self.post(
                client, ["signature": signature, "document": Data(Self.document).base64EncodedString()])
            #expect(passed.status == .ok)
            #expect(passed.headers[.contentType] == "application/json")
            let report = try Self.report(passed)
            #expect(report["indication"] as? String == "TOTAL-PASSED", "\(report)")
            let first = try #require((report["signatures"] as? [[String: Any]])?.first)
            #expect(first["format"] as? String == "CAdES-BASELINE-T")
            #expect((first["signer"] as? [String: Any])?["qualified"] as? Bool == true)
            #expect((first["timeStamp"] as? [String: Any])?["indication"] as? String == "TOTAL-PASSED")

            let digest = Data(SHA256.hash(data: Self.document)).base64EncodedString()
            let byDigest = try await Self.post(
                client, ["signature": signature, "documentDigest": ["algorithm": "SHA-256", "value": digest]])
            #expect(try Self.report(byDigest)["indication"] as? String == "TOTAL-PASSED")

            let changed = try await Self.post(
                client, ["signature": signature, "document": Data("Extract, changed".utf8).base64EncodedString()])
            #expect(changed.status == .ok)
            let failed = try Self.report(changed)
            #expect(failed["indication"] as? String == "TOTAL-FAILED")
            #expect(failed["subIndication"] as? String == "HASH_FAILURE")
        }
    }

    @Test("bad requests are 400, 415 or 503 with a problem, never a 500")
    func badRequests() async throws {
        try await TestNode.with { client, database, configuration in
            let early = try await Self.post(client, ["signature": "MAo="])
            #expect(early.status == .serviceUnavailable)
            try await Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger).initialise()
            let digest32 = Data(repeating: 1, count: 32).base64EncodedString()
            let bad: [[String: Any]] = [
                [:],
                ["signature": "not base64!"],
                ["signature": ""],
                ["signature": 42],
                ["signature": "MAo=", "document": "%%"],
                ["signature": "MAo=", "document": NSNull()],
                ["signature": "MAo=", "documentDigest": NSNull()],
                ["signature": "MAo=", "document": "", "documentDigest": ["algorithm": "SHA-256", "value": digest32]],
                ["signature": "MAo=", "documentDigest": ["algorithm": "MD5", "value": digest32]],
                ["signature": "MAo=", "documentDigest": ["algorithm": "SHA-512", "value": digest32]],
            ]
            for body in bad {
                let response = try await Self.post(client, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let notJSON = try await client.execute(
                uri: "/validation/signatures", method: .post,
                headers: [.contentType: "application/pkcs7-signature", .accept: "application/json"],
                body: ByteBuffer(bytes: [0x30, 0x00]))
            #expect(notJSON.status == .unsupportedMediaType)
            // Garbage that is valid base64 is a report, not an error: the signature is what failed.
            let garbage = try await Self.post(client, ["signature": "MAo="])
            #expect(garbage.status == .ok)
            #expect(try Self.report(garbage)["subIndication"] as? String == "FORMAT_FAILURE")
        }
    }
}
