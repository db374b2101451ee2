import Audit
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Trust
import Web

@testable import Exchange

/// The Data Tracker seen by the person: each provider's node answers `myPersonalDataUsage` from its tracker to a
/// client its access rights allow, and a member system gathers every provider's answer through its own node.
@Suite("Personal data usage through the exchange")
struct PersonalDataUsageTests {
    typealias World = ExchangeNodeWorld

    static let person = "38001085718"

    static func usage(
        _ node: ExchangeNodeRuntime, client: String = "CVT/GOV/70000002/tax", query: String = "?userId=38001085718"
    ) async -> NodeAnswer {
        await node.clientRequest(
            method: "GET", target: "/r1/CVT/GOV/70000001/registry/myPersonalDataUsage\(query)",
            fields: [ExchangeHeaders.client: client], body: MessageBody())
    }

    static func entries(_ answer: NodeAnswer) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(answer.body.held)) as? [[String: Any]])
    }

    @Test("the provider lists whose data went to whom, when and why, in the GovStack PersonalDataUsage shape")
    func providerAnswers() async throws {
        try await World.with { world in
            #expect(await ExchangeNodeTests.call(world.client, id: "q-read").status == .ok)
            let answer = await Self.usage(world.client)
            #expect(answer.status == .ok, "\(String(decoding: answer.body.held, as: UTF8.self))")
            #expect(answer.fields[.contentType] == "application/json; charset=utf-8")
            let entries = try Self.entries(answer)
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry["id"] as? String == "q-read")
            #expect(entry["readerId"] as? String == "CV60001019906")
            #expect(entry["readerInstitutionId"] as? String == "CVT/GOV/70000002")
            #expect(entry["readerInstitutionName"] as? String == "Revenue Service")
            #expect(entry["readerApplicationName"] as? String == "CVT/GOV/70000002/tax")
            #expect(entry["serviceCode"] as? String == "CVT/GOV/70000001/registry/persons")
            #expect(entry["purpose"] as? String == "tax case 2026/41")
            #expect((entry["refrences"] as? [[String: String]])?.first?["ReferenceID"] == "q-read")
            let at = try Date(try #require(entry["searchDateTime"] as? String), strategy: .iso8601)
            #expect(abs(at.timeIntervalSinceNow) < 120)
            // Another person, or another service of the provider, has nothing to show.
            #expect(try Self.entries(await Self.usage(world.client, query: "?userId=47002035521")).isEmpty)
            let other = await Self.usage(world.client, query: "?userId=38001085718&databaseId=other")
            #expect(try Self.entries(other).isEmpty)
            let same = await Self.usage(world.client, query: "?userId=38001085718&databaseId=persons")
            #expect(try Self.entries(same).count == 1)
            // Asking is itself logged on both sides, like any message.
            #expect(try await world.logged("q-read") == ["request", "request", "response", "response"])
        }
    }

    @Test("a client without the right, a missing userId and another method are refused, and nothing is listed")
    func refusals() async throws {
        try await World.with { world in
            #expect(await ExchangeNodeTests.call(world.client, id: "q-read").status == .ok)
            let denied = await Self.usage(world.impostor, client: "CVT/GOV/70000003/stats")
            #expect(denied.fields[ExchangeHeaders.error] == "Server.ServerProxy.AccessDenied")
            #expect(!String(decoding: denied.body.held, as: UTF8.self).contains("CV60001019906"))
            let noPerson = await Self.usage(world.client, query: "")
            #expect(noPerson.fields[ExchangeHeaders.error] == "Client.BadRequest")
            #expect(ExchangeNodeTests.message(noPerson).contains("userId"))
            let post = await world.client.clientRequest(
                method: "POST", target: "/r1/CVT/GOV/70000001/registry/myPersonalDataUsage?userId=38001085718",
                fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"], body: MessageBody())
            #expect(post.fields[ExchangeHeaders.error] == "Client.BadRequest")
        }
    }

    @Test("listClients?serviceCode= names only the subsystems the registry lists that service for")
    func directoryByServiceCode() async throws {
        try await World.with { world in
            let answer = await world.client.clientRequest(
                method: "GET", target: "/r1/CVT/listClients?serviceCode=myPersonalDataUsage",
                fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"], body: MessageBody())
            #expect(answer.status == .ok)
            #expect(
                PersonalDataUsageClient.subsystems(inListing: answer.body.held)?.map(\.description) == [
                    "CVT/GOV/70000001/registry"
                ])
            let all = await world.client.clientRequest(
                method: "GET", target: "/r1/CVT/listClients", fields: [ExchangeHeaders.client: "CVT/GOV/70000002/tax"],
                body: MessageBody())
            #expect(PersonalDataUsageClient.subsystems(inListing: all.body.held)?.count == 3)
        }
    }

    @Test("a member system gathers every provider's list through its own node's HTTP door")
    func gatheredThroughOwnNode() async throws {
        try await World.with { world in
            #expect(await ExchangeNodeTests.call(world.client, id: "q-one").status == .ok)
            #expect(await ExchangeNodeTests.call(world.client, id: "q-two").status == .ok)
            let routes = RouteTable()
            ExchangeNodeRoutes(runtime: world.client).register(in: routes)
            let router = Router(context: CivitasRequestContext.self)
            router.add(middleware: RequestContextMiddleware(settings: WebSettings()))
            routes.install(on: router)
            let door = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                logger: World.quietLogger)
            try await door.test(.live) { http in
                let port = try #require(http.port)
                let node = try #require(URL(string: "http://127.0.0.1:\(port)"))
                let gatherer = PersonalDataUsageClient(node: node, client: World.client)
                let report = try await gatherer.uses(of: Self.person)
                #expect(report.unanswered.isEmpty, "\(report.unanswered)")
                #expect(report.uses.map(\.id).sorted() == ["q-one", "q-two"])
                #expect(report.uses.allSatisfy { $0.readerInstitutionName == "Revenue Service" })
                #expect(try await gatherer.uses(of: "47002035521").uses.isEmpty)
                // A provider the registry lists for the service whose node does not answer is named, so the person
                // is not told the list is whole.
                let organisations = try await world.pki.certificate(role: .organisationsCA).certificate
                let registry = CentralRegistry(
                    database: world.database, audit: AuditLog(database: world.database), instance: "CVT",
                    nodeCertificateIssuers: [organisations])
                try await registry.addService(
                    try XRoadServiceIdentifier("CVT/GOV/70000003/stats/myPersonalDataUsage"), title: "Who used my data",
                    actor: ExchangeWorld.official)
                try await world.client.configuration.refresh()
                let partial = try await gatherer.uses(of: Self.person)
                #expect(partial.unanswered.map(\.provider) == ["CVT/GOV/70000003/stats"])
                #expect(partial.uses.count == 2)
                // A portal whose node is down learns it, rather than an empty list.
                let nowhere = PersonalDataUsageClient(
                    node: URL(string: "http://127.0.0.1:9")!, client: World.client, timeout: .seconds(3))
                await #expect(throws: ExchangeError.self) { try await nowhere.uses(of: Self.person) }
            }
        }
    }
}
