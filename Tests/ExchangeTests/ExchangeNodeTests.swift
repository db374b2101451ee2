import CivitasCore
import Foundation
import HTTPTypes
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust

@testable import Exchange

/// The exchange node's two sides against each other over real TLS on loopback, with the national PKI's own OCSP
/// responder: what passes, and every way a message can be changed, forged or sent by the wrong party.
@Suite("Exchange node")
struct ExchangeNodeTests {
    typealias World = ExchangeNodeWorld

    static let target = "/r1/CVT/GOV/70000001/registry/persons/persons/38001085718"

    static func call(
        _ node: ExchangeNodeRuntime, client: String = "CVT/GOV/70000002/tax", id: String
    ) async
        -> NodeAnswer
    {
        await node.clientRequest(
            method: "GET", target: target,
            fields: [
                ExchangeHeaders.client: client, ExchangeHeaders.id: id, ExchangeHeaders.userID: "CV60001019906",
                ExchangeHeaders.issue: "tax case 2026/41",
            ], body: MessageBody())
    }

    /// A call from B's `tax` subsystem through `node` to `/r1` + `path`, with query id `id`.
    static func send(
        _ node: ExchangeNodeRuntime, _ path: String, method: String = "GET", id: String, body: [UInt8] = []
    ) async -> NodeAnswer {
        await node.clientRequest(
            method: method, target: "/r1/" + path,
            fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax", ExchangeHeaders.id: id], body: MessageBody(body))
    }

    static func errorType(_ answer: NodeAnswer) -> String? { answer.fields[ExchangeHeaders.error] }

    static func message(_ answer: NodeAnswer) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(answer.body.held))) as? [String: String])?["message"] ?? ""
    }

    @Test("an allowed call passes both nodes to the backend; each side logs the request and the response")
    func allowedCall() async throws {
        try await World.with { world in
            let answer = await Self.call(world.client, id: "q-allowed")
            #expect(answer.status == .ok, "\(Self.message(answer))")
            #expect(String(decoding: answer.body.held, as: UTF8.self) == #"{"personalNumber":"38001085718"}"#)
            #expect(answer.fields[.contentType] == "application/json")
            #expect(answer.fields[ExchangeHeaders.id] == "q-allowed")
            #expect(answer.fields[ExchangeHeaders.requestHash]?.isEmpty == false)
            #expect(world.backendCalls.value == ["/api/persons/38001085718"])
            // The provider's tracker: whose data went to whom, when and why.
            let uses = try await world.provider.tracker.uses(of: "38001085718")
            #expect(uses.count == 1)
            #expect(uses.first?.client == "CVT/GOV/70000002/tax")
            #expect(uses.first?.service == "CVT/GOV/70000001/registry/persons")
            #expect(uses.first?.userID == "CV60001019906")
            #expect(uses.first?.issue == "tax case 2026/41")
            #expect(uses.first?.messageID == "q-allowed")
            // A second call from the same node takes the recently validated chain; it passes the same way.
            #expect(await Self.call(world.client, id: "q-again").status == .ok)
            let again = try await world.logged("q-again")
            #expect(again == ["request", "request", "response", "response"])
            let logged = try await world.logged("q-allowed")
            #expect(logged == ["request", "request", "response", "response"])
        }
    }

    @Test("a client without rights, and a path or method the right does not cover, are denied before the backend")
    func accessDenied() async throws {
        try await World.with { world in
            let denied = await Self.call(world.impostor, client: "CVT/GOV/70000003/stats", id: "q-denied")
            #expect(denied.status.code == 500)
            #expect(Self.errorType(denied) == "Server.ServerProxy.AccessDenied")
            let wrongPath = await world.client.clientRequest(
                method: "GET", target: "/r1/CVT/GOV/70000001/registry/persons/other/1",
                fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"], body: MessageBody())
            #expect(Self.errorType(wrongPath) == "Server.ServerProxy.AccessDenied")
            let wrongMethod = await world.client.clientRequest(
                method: "DELETE", target: Self.target, fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"],
                body: MessageBody())
            #expect(Self.errorType(wrongMethod) == "Server.ServerProxy.AccessDenied")
            #expect(world.backendCalls.value.isEmpty)
            // The denied request was logged on the client's side only: the provider logs what it accepts.
            let logged = try await world.logged("q-denied")
            #expect(logged == ["request"])
        }
    }

    @Test("a request changed after sealing, in its body or its head, is refused with InvalidSignatureValue")
    func tamperedRequest() async throws {
        try await World.with { world in
            let peer = world.client.identity.credentials.certificate
            let honest = try await world.sealedRequest(
                from: world.client, client: World.client, target: Self.target, queryID: "q-honest")
            let passed = await world.provider.providerRequest(
                fields: honest.fields, body: MessageBody(honest.body), peer: peer)
            #expect(passed.status == .ok, "\(Self.message(passed))")

            let sealed = try await world.sealedRequest(
                from: world.client, client: World.client, target: Self.target, queryID: "q-body", body: Array("a".utf8))
            let changedBody = await world.provider.providerRequest(
                fields: sealed.fields, body: MessageBody(Array("b".utf8)), peer: peer)
            #expect(Self.errorType(changedBody) == "Server.ServerProxy.InvalidSignatureValue")

            var fields = honest.fields
            let head = String(decoding: Data(base64Encoded: fields[ExchangeHeaders.messageHead]!)!, as: UTF8.self)
            fields[ExchangeHeaders.messageHead] = Data(
                head.replacingOccurrences(of: "38001085718", with: "38001085719").utf8
            ).base64EncodedString()
            let changedHead = await world.provider.providerRequest(fields: fields, body: MessageBody(), peer: peer)
            #expect(Self.errorType(changedHead) == "Server.ServerProxy.InvalidSignatureValue")

            var garbled = honest.fields
            garbled[ExchangeHeaders.seal] = Data([0x30, 0x03, 0x02, 0x01, 0x01]).base64EncodedString()
            let badSeal = await world.provider.providerRequest(fields: garbled, body: MessageBody(), peer: peer)
            #expect(Self.errorType(badSeal) == "Server.ServerProxy.InvalidSignatureValue")
            #expect(world.backendCalls.value.count == 1, "only the honest request reached the backend")
        }
    }

    @Test("a seal by another member, a node that does not serve the client, and no certificate are all refused")
    func wrongParties() async throws {
        try await World.with { world in
            // C seals a request claiming to be B's subsystem, sent from B's node certificate.
            let forged = try await world.sealedRequest(
                from: world.impostor, client: World.client, target: Self.target, queryID: "q-forged")
            let byImpostor = await world.provider.providerRequest(
                fields: forged.fields, body: MessageBody(), peer: world.client.identity.credentials.certificate)
            #expect(Self.errorType(byImpostor) == "Server.ServerProxy.InvalidSignatureValue")
            #expect(Self.message(byImpostor).contains("not sealed by CVT/GOV/70000002"))

            // B's honest seal, but from C's node, which does not serve B's subsystem.
            let honest = try await world.sealedRequest(
                from: world.client, client: World.client, target: Self.target, queryID: "q-relayed")
            let relayed = await world.provider.providerRequest(
                fields: honest.fields, body: MessageBody(), peer: world.impostor.identity.credentials.certificate)
            #expect(Self.errorType(relayed) == "Server.ServerProxy.SslAuthenticationFailed")
            let anonymous = await world.provider.providerRequest(fields: honest.fields, body: MessageBody(), peer: nil)
            #expect(Self.errorType(anonymous) == "Server.ServerProxy.SslAuthenticationFailed")
            #expect(world.backendCalls.value.isEmpty)
        }
    }

    @Test(
        "an answer changed on the way back, in its body, head or request hash, is refused and never released",
        arguments: [ProviderTampering.body, .head, .requestHash])
    func tamperedResponse(tampering: ProviderTampering) async throws {
        try await World.with { world in
            world.tampering.value = tampering
            let answer = await Self.call(world.client, id: "q-tampered")
            #expect(answer.status.code == 500)
            #expect(Self.errorType(answer) == "Server.ClientProxy.InvalidSignatureValue", "\(Self.message(answer))")
            #expect(!String(decoding: answer.body.held, as: UTF8.self).contains("personalNumber"))
            // The provider logged its honest answer; the client logged the request and not the changed answer.
            let logged = try await world.logged("q-tampered")
            #expect(logged == ["request", "request", "response"])
        }
    }

    @Test("once a member's seal is revoked, its node's requests are refused within the OCSP freshness limit")
    func revokedSeal() async throws {
        try await World.with { world in
            #expect(await Self.call(world.client, id: "q-before").status == .ok)
            _ = try await world.pki.change(
                issuer: "organisations-ca", serial: world.sealSerials["70000002"]!,
                .revoke(.keyCompromise), actor: ExchangeWorld.official)
            let clock = ContinuousClock()
            let start = clock.now
            var answer = await Self.call(world.client, id: "q-after")
            while answer.status == .ok && clock.now - start < .seconds(30) {
                try await Task.sleep(for: .milliseconds(200))
                answer = await Self.call(world.client, id: "q-after-\(clock.now - start)")
            }
            #expect(
                clock.now - start < .seconds(20), "refused once the answer is 8 s old, give or take a busy machine"
            )
            #expect(Self.errorType(answer) == "Server.ServerProxy.InvalidSignatureValue")
            #expect(Self.message(answer).lowercased().contains("revoked"), "\(Self.message(answer))")
        }
    }

    @Test("bad requests from the member's own system are Client.BadRequest with the reason, and go nowhere")
    func badRequests() async throws {
        try await World.with { world in
            let noClient = await world.client.clientRequest(
                method: "GET", target: Self.target, fields: [:], body: MessageBody())
            #expect(Self.errorType(noClient) == "Client.BadRequest")
            #expect(Self.message(noClient).contains("X-Road-Client"))
            let badPath = await world.client.clientRequest(
                method: "GET", target: "/r1/CVT/GOV", fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"],
                body: MessageBody())
            #expect(Self.errorType(badPath) == "Client.BadRequest")
            let tooLarge = await world.client.clientRequest(
                method: "GET", target: Self.target, fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"],
                body: MessageBody(Array(repeating: 0x61, count: 64 * 1024 + 1)))
            #expect(Self.errorType(tooLarge) == "Client.BadRequest")
            #expect(Self.message(tooLarge).contains("65536"))
            let notOurs = await world.client.clientRequest(
                method: "GET", target: Self.target, fields: [ExchangeHeaders.client: "CVT/GOV/70000003/stats"],
                body: MessageBody())
            #expect(Self.errorType(notOurs) == "Server.ClientProxy.UnknownMember")
            #expect(world.backendCalls.value.isEmpty)
        }
    }

    @Test("a call whose provider node is down gets NetworkError, and its sealed request stays in the client's log")
    func providerDown() async throws {
        try await World.with { world in
            // C's node is registered at 127.0.0.1:9, where nothing listens.
            let answer = await Self.send(world.client, "CVT/GOV/70000003/stats/figures/1", id: "q-down")
            #expect(Self.errorType(answer) == "Server.ClientProxy.NetworkError", "\(Self.message(answer))")
            // The request's commit runs beside the call; it lands even though no answer came.
            var logged: [String] = []
            for _ in 0..<50 {
                logged = try await world.logged("q-down")
                if !logged.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(logged == ["request"])
        }
    }

    @Test("a backend whose answer fails still leaves the request in the provider's log, logged while it worked")
    func backendFails() async throws {
        try await World.with { world in
            let answer = await Self.send(
                world.client, "CVT/GOV/70000001/registry/persons/persons/oversized", id: "q-oversized")
            #expect(Self.errorType(answer) == "Server.ServerProxy.ServiceFailed", "\(Self.message(answer))")
            #expect(Self.message(answer).contains("over the 65536 bytes"), "\(Self.message(answer))")
            // The client's request and the provider's, both committed before the error came back; no response.
            let logged = try await world.logged("q-oversized")
            #expect(logged == ["request", "request"])
        }
    }

    @Test("a write reaches the backend only once its request is in the log; a read may reach it meanwhile")
    func writeLoggedFirst() async throws {
        try await World.with { world in
            let notes = "CVT/GOV/70000001/registry/persons/persons/38001085718/notes"
            let write = await Self.send(
                world.client, notes, method: "POST", id: "q-write", body: Array(#"{"note":"moved to Kutaisi"}"#.utf8))
            #expect(write.status == .created, "\(Self.message(write))")
            // The client's commit began first and the provider's waits behind it on the one writer.
            #expect(world.backendCalls.value == ["/api/persons/38001085718/notes with 2 requests logged"])
            // Now every log commit fails: the write never reaches the backend, the read does, and neither answers.
            try await world.database.transaction { sql in
                try await sql.raw("DROP TRIGGER exchange_log_append_row").run()
            }
            let refused = await Self.send(world.client, notes, method: "POST", id: "q-write-2", body: Array("{}".utf8))
            #expect(Self.errorType(refused)?.hasSuffix("LoggingFailed") == true, "\(Self.message(refused))")
            #expect(world.backendCalls.value.count == 1)
            let read = await Self.call(world.client, id: "q-read-unlogged")
            #expect(Self.errorType(read)?.hasSuffix("LoggingFailed") == true, "\(Self.message(read))")
            #expect(!String(decoding: read.body.held, as: UTF8.self).contains("personalNumber"))
            #expect(world.backendCalls.value.count == 2)
        }
    }

    @Test("a backend that names a data subject the tracker cannot keep gets ServiceFailed, and its data stays home")
    func unrecordableSubject() async throws {
        try await World.with { world in
            let answer = await Self.send(world.client, "CVT/GOV/70000001/registry/persons/persons/long", id: "q-long")
            #expect(Self.errorType(answer) == "Server.ServerProxy.ServiceFailed", "\(Self.message(answer))")
            #expect(Self.message(answer).contains("data tracker's subject"), "\(Self.message(answer))")
            #expect(!String(decoding: answer.body.held, as: UTF8.self).contains("personalNumber"))
            let logged = try await world.logged("q-long")
            #expect(logged == ["request", "request"])
        }
    }

    @Test("a body over the memory limit streams through both nodes' spools to the backend and back, logged as files")
    func spooledBody() async throws {
        try await World.with { world in
            let bytes = (0..<60_000).map { _ in UInt8.random(in: 0...255) }
            do {
                // As the client's door takes it from the member's system: in pieces, to the spool.
                let upload = try await world.client.receive(
                    MessageBody(bytes).chunks(size: 1000), side: .clientProxyInternalError)
                #expect(upload.inMemory == nil)
                let answer = await world.client.clientRequest(
                    method: "POST", target: "/r1/CVT/GOV/70000001/registry/persons/persons/38001085718/documents",
                    fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax", ExchangeHeaders.id: "q-document"],
                    body: upload)
                #expect(answer.status == .ok, "\(Self.message(answer))")
                #expect(answer.body.inMemory == nil)
                #expect(try await answer.body.bytes() == bytes)
                #expect(world.backendCalls.value == ["/api/persons/38001085718/documents with 60000 bytes"])
            }
            // Each node logged its request and its response, every body a file of its log's with those bytes.
            let names = try await world.database.read { sql in
                try await sql.raw(
                    """
                    SELECT b.file_name FROM exchange_log_bodies b JOIN exchange_log_records r ON r.seq = b.seq
                    WHERE r.message_id = 'q-document'
                    """
                ).all().map { try $0.decode(column: "file_name", as: String?.self) }
            }
            #expect(names.count == 4)
            let directories = [world.client, world.provider].compactMap { $0.log.configuration.bodyDirectory }
            for name in names {
                let name = try #require(name)
                let found = directories.map { $0.appendingPathComponent(name) }
                    .first { FileManager.default.fileExists(atPath: $0.path) }
                #expect(try Array(Data(contentsOf: try #require(found))) == bytes)
            }
            // The spool files go with the bodies (the provider's once its answer is written out).
            for node in [world.client, world.provider] {
                var left = ["?"]
                for _ in 0..<100 {
                    left = (try? FileManager.default.contentsOfDirectory(atPath: node.spool.directory.path)) ?? []
                    if left.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(left.isEmpty, "\(node.spool.directory.path): \(left)")
            }
        }
    }
}
