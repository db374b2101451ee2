import Audit
import CivitasCore
import Foundation
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust
import X509

@testable import Exchange

@Suite("Central registry")
struct CentralRegistryTests {
    typealias World = ExchangeWorld

    @Test("members, subsystems, services and access rights are kept and listed", arguments: DatabaseEngine.allCases)
    func keepsRecords(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let members = try await world.registry.members()
            #expect(members.map(\.id.description) == ["CVT/GOV/700000015", "CVT/GOV/700000023"])
            #expect(members[0].name == "Civil Registry")
            #expect(members[0].subsystems.map(\.description) == ["CVT/GOV/700000015/registry"])
            let services = try await world.registry.services()
            #expect(services.map(\.id.description) == ["CVT/GOV/700000015/registry/persons"])
            #expect(services[0].openAPIDigest?.count == 64)
            let description = try await world.registry.openAPIDescription(of: services[0].id)
            #expect(description.map { String(decoding: $0, as: UTF8.self) }?.contains("openapi") == true)
            let rights = try await world.registry.accessRights()
            #expect(rights.count == 1)
            #expect(rights[0].method == "GET")
            #expect(rights[0].path == "/persons/*")
        }
    }

    @Test(
        "access is denied by default and allowed only for the granted method and paths",
        arguments: DatabaseEngine.allCases)
    func accessRights(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let registry = world.registry
            let tax = World.id("CVT/GOV/700000023/tax")
            let persons = World.service("CVT/GOV/700000015/registry/persons")
            #expect(
                try await registry.isAllowed(client: tax, service: persons, method: "GET", path: "/persons/01001011116")
            )
            #expect(try await registry.isAllowed(client: tax, service: persons, method: "get", path: "/persons/1"))
            #expect(!(try await registry.isAllowed(client: tax, service: persons, method: "POST", path: "/persons/1")))
            #expect(!(try await registry.isAllowed(client: tax, service: persons, method: "GET", path: "/persons")))
            #expect(
                !(try await registry.isAllowed(client: tax, service: persons, method: "GET", path: "/persons/1/acts")))
            #expect(!(try await registry.isAllowed(client: tax, service: persons, method: "GET", path: "/admin")))
            // The provider's own subsystem has no right to its service unless granted.
            let own = World.id("CVT/GOV/700000015/registry")
            #expect(!(try await registry.isAllowed(client: own, service: persons, method: "GET", path: "/persons/1")))
            // A right for every method and path; then withdrawn.
            let everything = try await registry.grantAccess(client: own, service: persons, actor: World.official)
            #expect(try await registry.isAllowed(client: own, service: persons, method: "DELETE", path: "/x/y/z"))
            try await registry.revokeAccess(id: everything.id, actor: World.official)
            #expect(!(try await registry.isAllowed(client: own, service: persons, method: "DELETE", path: "/x/y/z")))
            // `**` at the end takes any rest.
            try await registry.grantAccess(
                client: own, service: persons, method: "GET", path: "/persons/**", actor: World.official)
            #expect(try await registry.isAllowed(client: own, service: persons, method: "GET", path: "/persons/1/acts"))
            #expect(try await registry.isAllowed(client: own, service: persons, method: "GET", path: "/persons"))
        }
    }

    @Test(
        "duplicates, unknown parents, other instances and bad values are refused and change nothing",
        arguments: DatabaseEngine.allCases)
    func refusals(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let registry = world.registry
            let actor = World.official
            let before = try await registry.revision()
            let head = try await world.audit.head()
            func code(_ body: () async throws -> Void) async -> ExchangeError.Code? {
                do {
                    try await body()
                    return nil
                } catch let error as ExchangeError {
                    return error.code
                } catch {
                    return nil
                }
            }
            #expect(
                await code { try await registry.addMember(World.id("CVT/GOV/700000015"), name: "Again", actor: actor) }
                    == .alreadyRegistered)
            #expect(
                await code {
                    try await registry.addMember(World.id("EE/GOV/700000015"), name: "Elsewhere", actor: actor)
                } == .invalidRecord)
            #expect(
                await code {
                    try await registry.addMember(World.id("CVT/GOV/700000031/sub"), name: "Sub", actor: actor)
                } == .invalidRecord)
            #expect(
                await code { try await registry.addMember(World.id("CVT/GOV/700000031"), name: "  ", actor: actor) }
                    == .invalidRecord)
            #expect(
                await code {
                    try await registry.addMember(World.id("CVT/GOV/700000031"), name: "Bad\u{7}", actor: actor)
                } == .invalidRecord)
            #expect(
                await code { try await registry.addSubsystem(World.id("CVT/GOV/999999999/x"), actor: actor) }
                    == .notFound)
            #expect(
                await code { try await registry.addSubsystem(World.id("CVT/GOV/700000015/registry"), actor: actor) }
                    == .alreadyRegistered)
            #expect(
                await code {
                    try await registry.addService(
                        World.service("CVT/GOV/700000015/nope/persons"), title: "X", actor: actor)
                } == .notFound)
            #expect(
                await code {
                    try await registry.addService(
                        World.service("CVT/GOV/700000015/registry/persons"), title: "X", actor: actor)
                } == .alreadyRegistered)
            #expect(
                await code {
                    try await registry.addService(
                        World.service("CVT/GOV/700000015/registry/other"), title: "X", openAPI: [0xFF, 0xFE],
                        actor: actor)
                } == .invalidRecord)
            let tax = World.id("CVT/GOV/700000023/tax")
            let persons = World.service("CVT/GOV/700000015/registry/persons")
            #expect(
                await code {
                    try await registry.grantAccess(
                        client: tax, service: persons, method: "GET", path: "/persons/*", actor: actor)
                } == .alreadyRegistered)
            #expect(
                await code {
                    try await registry.grantAccess(
                        client: World.id("CVT/GOV/700000023"), service: persons, actor: actor)
                } == .invalidRecord)
            #expect(
                await code {
                    try await registry.grantAccess(client: tax, service: persons, method: "G E T", actor: actor)
                } == .invalidRecord)
            #expect(
                await code {
                    try await registry.grantAccess(client: tax, service: persons, path: "persons", actor: actor)
                } == .invalidRecord)
            #expect(
                await code {
                    try await registry.grantAccess(client: tax, service: persons, path: "/**/x", actor: actor)
                } == .invalidRecord)
            #expect(
                await code { try await registry.grantAccess(client: tax, service: persons, path: "/a b", actor: actor) }
                    == .invalidRecord)
            #expect(
                await code {
                    try await registry.grantAccess(
                        client: World.id("CVT/GOV/700000023/nope"), service: persons, actor: actor)
                } == .notFound)
            #expect(await code { try await registry.revokeAccess(id: 9_999, actor: actor) } == .notFound)
            #expect(
                await code { try await registry.removeMember(World.id("CVT/GOV/700000015"), actor: actor) } == .inUse)
            #expect(
                await code { try await registry.removeSubsystem(World.id("CVT/GOV/700000015/registry"), actor: actor) }
                    == .inUse)
            #expect(
                await code { try await registry.removeMember(World.id("CVT/GOV/123456789"), actor: actor) } == .notFound
            )
            #expect(try await registry.revision() == before)
            #expect(try await world.audit.head() == head)
        }
    }

    @Test("every change is audited and bumps the revision; removal goes in order", arguments: DatabaseEngine.allCases)
    func auditedRemovals(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let registry = world.registry
            let actor = World.official
            let start = try await registry.revision()
            #expect(start == 6)
            try await registry.removeService(World.service("CVT/GOV/700000015/registry/persons"), actor: actor)
            #expect(try await registry.accessRights().isEmpty)
            try await registry.removeSubsystem(World.id("CVT/GOV/700000015/registry"), actor: actor)
            try await registry.removeMember(World.id("CVT/GOV/700000015"), actor: actor)
            #expect(try await registry.members().map(\.id.description) == ["CVT/GOV/700000023"])
            #expect(try await registry.revision() == start + 3)
            let actions = try await world.database.read { sql in
                try await sql.raw("SELECT action FROM audit_entries WHERE action LIKE 'exchange.%' ORDER BY seq")
                    .all().map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(
                actions == [
                    "exchange.member.add", "exchange.member.add", "exchange.subsystem.add", "exchange.subsystem.add",
                    "exchange.service.add", "exchange.access.grant", "exchange.service.remove",
                    "exchange.subsystem.remove", "exchange.member.remove",
                ])
        }
    }

    @Test(
        "nodes keep their address, certificates from the organisations CA and the subsystems they serve",
        arguments: DatabaseEngine.allCases)
    func nodes(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let registry = world.registry
            let actor = World.official
            let node = try ExchangeNodeIdentifier("CVT/GOV/700000015/node1")
            try await registry.addNode(
                node, address: try NodeAddress("node1.registry.civitas.example:5500"), actor: actor)
            let certificate = try await world.nodeCertificate("Civil Registry")
            try await registry.addNodeCertificate(certificate, to: node, actor: actor)
            try await registry.addNodeClient(World.id("CVT/GOV/700000015/registry"), to: node, actor: actor)
            let nodes = try await registry.nodes()
            #expect(nodes.count == 1)
            #expect(nodes[0].address.description == "node1.registry.civitas.example:5500")
            #expect(nodes[0].certificates == [certificate])
            #expect(nodes[0].clients.map(\.description) == ["CVT/GOV/700000015/registry"])
            // A certificate from elsewhere (the root itself; an e-seal without clientAuth) is refused.
            let root = try await world.pki.certificate(role: .root).certificate
            await #expect(throws: ExchangeError.self) {
                try await registry.addNodeCertificate(root, to: node, actor: actor)
            }
            let seal = try await world.pki.createSeal(
                name: "civil-registry", organisation: "Civil Registry", organisationIdentifier: "GOV-700000015",
                actor: actor)
            await #expect(throws: ExchangeError.self) {
                try await registry.addNodeCertificate(seal.certificate, to: node, actor: actor)
            }
            await #expect(throws: ExchangeError.self) {
                try await registry.addNode(node, address: try NodeAddress("other.example:1"), actor: actor)
            }
            await #expect(throws: ExchangeError.self) {
                try await registry.removeMember(World.id("CVT/GOV/700000015"), actor: actor)
            }
            try await registry.removeNode(node, actor: actor)
            #expect(try await registry.nodes().isEmpty)
        }
    }

    @Test(
        "node addresses are host:port and nothing else",
        arguments: [
            ("node.example:5500", true), ("10.0.0.1:443", true), ("[2001:db8::1]:5500", true), ("node.example", false),
            ("node.example:0", false), ("node.example:65536", false), (":5500", false), ("no de.example:1", false),
            ("-bad.example:1", false), ("node.example:+80", false), ("[2001:db8::1]5500", false),
            ("node..example:1", false), ("nöde.example:1", false), ("node.example:1/x", false),
        ])
    func addresses(text: String, valid: Bool) {
        #expect(((try? NodeAddress(text)) != nil) == valid)
        if valid { #expect(try! NodeAddress(text).description == text) }
    }
}
