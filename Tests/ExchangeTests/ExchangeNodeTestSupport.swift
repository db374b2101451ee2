import Audit
import CivitasCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import ServiceLifecycle
import Storage
import StorageTesting
import Synchronization
import Testing
import Trust
import Web
import X509

@testable import Exchange

/// What the provider's door does to the honest answer before it goes back: the network, for better or worse.
enum ProviderTampering: Sendable {
    case none
    case body
    case requestHash
    case head
}

/// Two member organisations and an impostor, each with an exchange node of its own, over one real PKI whose OCSP
/// responder and the provider's TLS door listen on loopback; the provider's backend is a live server too.
///
/// A (`CVT/GOV/70000001`, node `nodeA`) provides `registry/persons` from the backend; B (`CVT/GOV/70000002`, node
/// `nodeB`) may call `GET /persons/*` of it from its subsystem `tax`; C (`CVT/GOV/70000003`) has a node and a seal
/// but no rights.
struct ExchangeNodeWorld: Sendable {
    static let service = try! XRoadServiceIdentifier("CVT/GOV/70000001/registry/persons")
    static let client = try! XRoadClientIdentifier("CVT/GOV/70000002/tax")
    /// The most body bytes a test node keeps in memory; more goes to its spool.
    static let memoryLimit = 4096
    static let impostorClient = try! XRoadClientIdentifier("CVT/GOV/70000003/stats")
    static let dataUsageService = try! XRoadServiceIdentifier("CVT/GOV/70000001/registry/myPersonalDataUsage")

    let pki: NationalPKI
    let database: Database
    let provider: ExchangeNodeRuntime
    let client: ExchangeNodeRuntime
    let impostor: ExchangeNodeRuntime
    let tampering: Locked<ProviderTampering>
    let backendCalls: Locked<[String]>
    /// Issued seal certificates, by member code, for revocation.
    let sealSerials: [String: String]

    static var quietLogger: Logger {
        var logger = Logger(label: "exchange-node-tests")
        logger.logLevel = .critical
        return logger
    }

    static func with<T: Sendable>(_ body: @escaping @Sendable (ExchangeNodeWorld) async throws -> T) async throws -> T {
        // The PKI's base URL is where its OCSP responder will listen: take a free port first.
        let probe = try await SilentListener.start()
        let trustPort = probe.port
        await probe.stop()
        return try await TestDatabase.with(.sqlite, migrations: ExchangeWorld.migrations) { database in
            let audit = AuditLog(database: database)
            let pki = NationalPKI(
                database: database,
                keyStore: SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key),
                audit: audit, baseURL: "http://127.0.0.1:\(trustPort)")
            try await pki.initialise()
            let settings = WebSettings()
            let router = Router(context: CivitasRequestContext.self)
            router.add(middleware: RequestContextMiddleware(settings: settings))
            router.add(middleware: ErrorMiddleware(renderer: try await PageRenderer.bundled(settings: settings)))
            let routes = RouteTable()
            let revocation = RevocationRoutes(pki: pki, database: database)
            revocation.register(in: routes)
            routes.install(on: router)
            let (running, ready) = AsyncStream.makeStream(of: Void.self)
            let trust = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: trustPort)),
                services: [revocation.watcher],
                onServerRunning: { _ in
                    ready.yield()
                    ready.finish()
                }, logger: quietLogger)
            // On the port the PKI names (HummingbirdTesting's live mode would pick another).
            let group = ServiceGroup(services: [trust], gracefulShutdownSignals: [], logger: quietLogger)
            let serving = Task { try await group.run() }
            for await _ in running { break }
            do {
                let result = try await withBackend(database: database) { backendURL, backendCalls in
                    try await withWorld(pki: pki, database: database, backendURL: backendURL, calls: backendCalls, body)
                }
                await group.triggerGracefulShutdown()
                try await serving.value
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await serving.value
                throw error
            }
        }
    }

    /// A backend that answers `GET /api/persons/{n}` with a JSON person (for `oversized`, 100 KiB of spaces),
    /// takes `POST /api/persons/{n}/notes`, and records every path it is called on.
    static func withBackend<T: Sendable>(
        database: Database, _ body: @escaping @Sendable (URL, Locked<[String]>) async throws -> T
    ) async throws -> T {
        let calls = Locked<[String]>([])
        let router = Router()
        // A write: the backend notes how many request records the shared log held for it when it arrived.
        router.post("/api/persons/{number}/notes") { request, context -> Response in
            let id = request.headers[ExchangeHeaders.id] ?? ""
            let logged = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT COUNT(*) AS n FROM exchange_log_records
                    WHERE message_id = \(bind: id) AND direction = 'request'
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            }
            calls.value.append("\(request.uri.description) with \(logged) requests logged")
            return Response(status: .created)
        }
        // A document upload, echoed: the answer is the bytes the backend received.
        router.post("/api/persons/{number}/documents") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            calls.value.append("\(request.uri.description) with \(body.readableBytes) bytes")
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: body))
        }
        router.get("/api/persons/{number}") { request, context -> Response in
            calls.value.append(request.uri.description)
            let number = context.parameters.get("number") ?? ""
            if number == "oversized" {
                // Over the 64 KiB a message may have under the world's policies.
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: " "), count: 100 * 1024)))
            }
            // "long" names a data subject over the tracker's 255 bytes.
            let subject = number == "long" ? String(repeating: "9", count: 300) : number
            return Response(
                status: .ok, headers: [.contentType: "application/json", ExchangeHeaders.dataSubject: subject],
                body: .init(byteBuffer: ByteBuffer(string: #"{"personalNumber":"\#(number)"}"#)))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        return try await application.test(.live) { client in
            try await body(URL(string: "http://127.0.0.1:\(try #require(client.port))/api")!, calls)
        }
    }

    struct Member: Sendable {
        let id: XRoadClientIdentifier
        let node: ExchangeNodeIdentifier
        let credentials: NodeCredentials
        let seal: CAdESSigner.Signer
        let sealSerial: String
    }

    static func member(_ code: String, _ name: String, pki: NationalPKI) async throws -> Member {
        let id = try XRoadClientIdentifier("CVT/GOV/\(code)")
        let node = try ExchangeNodeIdentifier(owner: id, serverCode: "node")
        let organisations = try await pki.certificate(role: .organisationsCA).certificate
        let actor = ExchangeWorld.official
        let authenticationKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let authentication = try await pki.issue(
            profile: .tlsNode, publicKey: authenticationKey.publicKey,
            subject: try DistinguishedName {
                OrganizationName(name)
                CommonName(node.description)
            }, actor: actor)
        let sealKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let seal = try await pki.issue(
            profile: .organisationSeal, publicKey: sealKey.publicKey,
            subject: try MemberSealSubject.name(member: id, organisation: name), actor: actor)
        return Member(
            id: id, node: node,
            credentials: NodeCredentials(
                key: authenticationKey, certificate: authentication.certificate, chain: [organisations]),
            seal: CAdESSigner.Signer(key: sealKey, certificate: seal.certificate, chain: [organisations]),
            sealSerial: seal.serial)
    }

    static func withWorld<T: Sendable>(
        pki: NationalPKI, database: Database, backendURL: URL, calls: Locked<[String]>,
        _ body: @escaping @Sendable (ExchangeNodeWorld) async throws -> T
    ) async throws -> T {
        let a = try await member("70000001", "Civil Registry", pki: pki)
        let b = try await member("70000002", "Revenue Service", pki: pki)
        let c = try await member("70000003", "Statistics Office", pki: pki)
        let root = try await pki.certificate(role: .root).certificate
        let organisations = try await pki.certificate(role: .organisationsCA).certificate
        let audit = AuditLog(database: database)
        let registry = CentralRegistry(
            database: database, audit: audit, instance: "CVT", nodeCertificateIssuers: [organisations])
        let publisher = GlobalConfigurationPublisher(
            registry: registry, database: database, pki: pki,
            policies: .init(ocspFreshnessSeconds: 8, maximumMessageBytes: 64 * 1024))
        func runtime(_ member: Member) throws -> ExchangeNodeRuntime {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("civitas-node-\(UUID().uuidString)")
            return ExchangeNodeRuntime(
                identity: try ExchangeNodeIdentity(
                    id: member.node, credentials: member.credentials, seal: member.seal, trustAnchor: root),
                configuration: GlobalConfigurationClient(
                    source: PublishedSource(publisher: publisher),
                    verifier: GlobalConfigurationVerifier(trustAnchor: root, instance: "CVT"),
                    directory: directory.path,
                    logger: quietLogger),
                trust: ExchangeTrust(),
                // Each node has its own log in real life; here the three share the database, so the tests tell
                // their records apart by direction and count.
                log: MessageLog(
                    database: database,
                    configuration: MessageLogConfiguration(
                        archiveDirectory: directory, bodyDirectory: directory.appendingPathComponent("bodies"))),
                services: ProvidedServices(database: database, audit: audit), tracker: DataTracker(database: database),
                nodes: NodeHTTPClient(credentials: member.credentials, trustRoots: [root]),
                providerTimeout: .seconds(20),
                // Small, so that a body of a few pages already goes through the spool files.
                spool: BodySpool(directory: directory.appendingPathComponent("spool"), memoryLimit: Self.memoryLimit),
                logger: quietLogger)
        }
        let provider = try runtime(a)
        let client = try runtime(b)
        let impostor = try runtime(c)
        let tampering = Locked<ProviderTampering>(.none)
        let door = try providerDoor(provider, tampering: tampering)
        return try await door.test(.live) { door in
            let actor = ExchangeWorld.official
            for (member, name, subsystem) in [
                (a, "Civil Registry", "registry"), (b, "Revenue Service", "tax"), (c, "Statistics Office", "stats"),
            ] {
                try await registry.addMember(member.id, name: name, actor: actor)
                let subsystemID = try XRoadClientIdentifier("\(member.id)/\(subsystem)")
                try await registry.addSubsystem(subsystemID, actor: actor)
                let port = member.id == a.id ? try #require(door.port) : 9
                try await registry.addNode(member.node, address: try NodeAddress("127.0.0.1:\(port)"), actor: actor)
                try await registry.addNodeCertificate(member.credentials.certificate, to: member.node, actor: actor)
                try await registry.addNodeClient(subsystemID, to: member.node, actor: actor)
            }
            try await registry.addService(service, title: "Persons", actor: actor)
            try await registry.grantAccess(
                client: Self.client, service: service, method: "GET", path: "/persons/*", actor: actor)
            try await registry.grantAccess(
                client: Self.client, service: service, method: "POST", path: "/persons/*/notes", actor: actor)
            try await registry.grantAccess(
                client: Self.client, service: service, method: "POST", path: "/persons/*/documents", actor: actor)
            // B's subsystem plays the citizen portal: it may read A's data tracker for a person.
            try await registry.addService(dataUsageService, title: "Who used my data", actor: actor)
            try await registry.grantAccess(client: Self.client, service: dataUsageService, method: "GET", actor: actor)
            try await ProvidedServices(database: database, audit: audit).put(
                ProvidedService(id: service, title: "Persons", backendURL: backendURL), actor: actor)
            for node in [provider, client, impostor] { try await node.configuration.refresh() }
            let world = ExchangeNodeWorld(
                pki: pki, database: database, provider: provider, client: client, impostor: impostor,
                tampering: tampering, backendCalls: calls,
                sealSerials: ["70000001": a.sealSerial, "70000002": b.sealSerial, "70000003": c.sealSerial])
            let result = try await body(world)
            for node in [provider, client, impostor] { await node.nodes.shutdown() }
            return result
        }
    }

    /// The provider's TLS door, like ``ServerProxyListener``, with `tampering` applied to the honest answer.
    static func providerDoor(
        _ runtime: ExchangeNodeRuntime, tampering: Locked<ProviderTampering>
    ) throws -> some ApplicationProtocol {
        let tls = try NodeTLS.serverConfiguration(
            credentials: runtime.identity.credentials, trustRoots: [runtime.identity.trustAnchor],
            acceptsPeer: { runtime.isRegisteredNode($0) }, logger: quietLogger)
        let router = Router(context: ServerProxyContext.self)
        router.post(RouterPath(ExchangeHeaders.messagePath)) { request, context -> Response in
            let peer = await NodeTLS.peerCertificate(of: context.channel)
            let body: MessageBody
            do throws(NodeFault) {
                body = try await runtime.receive(request.body, side: .serverProxyInternalError)
            } catch {
                return ExchangeNodeRoutes.response(error.answer(detail: "-"))
            }
            var answer = await runtime.providerRequest(fields: request.headers, body: body, peer: peer)
            switch tampering.value {
            case .none: break
            case .body:
                var bytes = answer.body.held
                bytes[bytes.count / 2] ^= 1
                answer.body = MessageBody(bytes)
            case .requestHash: answer.fields[ExchangeHeaders.requestHash] = Data(count: 32).base64EncodedString()
            case .head:
                let head = Data(base64Encoded: answer.fields[ExchangeHeaders.messageHead] ?? "") ?? Data()
                let changed = String(decoding: head, as: UTF8.self).replacingOccurrences(of: "200\r\n", with: "201\r\n")
                answer.fields[ExchangeHeaders.messageHead] = Data(changed.utf8).base64EncodedString()
            }
            return ExchangeNodeRoutes.response(answer)
        }
        return Application(
            router: router, server: try .tls(.http1(), configuration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
    }

    /// A request from `member`'s node as its client side would seal it, for the provider to judge.
    func sealedRequest(
        from node: ExchangeNodeRuntime, client: XRoadClientIdentifier, target: String, queryID: String,
        body: [UInt8] = []
    ) async throws -> (fields: HTTPFields, body: [UInt8]) {
        let service = try XRoadServiceIdentifier.parse(path: String(target.prefix { $0 != "?" })).service
        let head = try RESTMessageHead(
            line: .request(method: "GET", target: target),
            fields: [("x-road-id", queryID), ("x-road-client", client.description)])
        let manifest = try ExchangeNodeRuntime.manifest(
            queryID: queryID, kind: .request, client: client, service: service, head: head, body: MessageBody(body),
            fault: .badRequest)
        let seal = try await node.seal(manifest, side: .clientProxyInternalError)
        return (
            [
                ExchangeHeaders.messageHead: Data(head.bytes).base64EncodedString(),
                ExchangeHeaders.seal: Data(seal.signature).base64EncodedString(),
            ], body
        )
    }

    /// How many records the shared log holds for `queryID`, by direction.
    func logged(_ queryID: String) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw(
                "SELECT direction FROM exchange_log_records WHERE message_id = \(bind: queryID) ORDER BY seq"
            ).all().map { try $0.decode(column: "direction", as: String.self) }
        }
    }
}

extension MessageBody {
    /// The bytes of a body held in memory (every body these tests exchange is small); none for a spooled one.
    var held: [UInt8] { inMemory ?? [] }
}
