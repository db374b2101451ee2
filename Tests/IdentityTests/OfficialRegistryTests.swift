import Audit
import CivitasCore
import Foundation
import Identity
import Storage
import StorageTesting
import Testing

@Suite("Officials and their roles")
struct OfficialRegistryTests {
    static let migrations = AuditLog.migrations + IdentityMigrations.all
    static let nino = PersonalNumber(serial: 1_001_011)
    static let giorgi = PersonalNumber(serial: 2_002_022)
    static let admin = AuditActor(kind: .official, id: "cli:root")

    @Test(
        "roles are granted and revoked with an audit entry each; a repeat is refused and changes nothing",
        arguments: DatabaseEngine.allCases)
    func grantAndRevoke(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let audit = AuditLog(database: database)
            let officials = OfficialRegistry(database: database, audit: audit)
            #expect(try await officials.roles(of: Self.nino).isEmpty)
            try await officials.grant(.identityAdmin, to: Self.nino, actor: Self.admin)
            try await officials.grant(.serviceHall, to: Self.nino, actor: Self.admin)
            try await officials.grant(.serviceHall, to: Self.giorgi, actor: Self.admin)
            #expect(try await officials.roles(of: Self.nino) == [.identityAdmin, .serviceHall])
            let again = await #expect(throws: IdentityError.self) {
                try await officials.grant(.serviceHall, to: Self.giorgi, actor: Self.admin)
            }
            #expect(again?.code == .alreadyRegistered)
            #expect(try await officials.all().count == 3)

            try await officials.revoke(.identityAdmin, from: Self.nino, actor: Self.admin)
            #expect(try await officials.roles(of: Self.nino) == [.serviceHall])
            let missing = await #expect(throws: IdentityError.self) {
                try await officials.revoke(.identityAdmin, from: Self.nino, actor: Self.admin)
            }
            #expect(missing?.code == .notFound)

            let entries = try await audit.entries(about: DataSubject(kind: "person", identifier: Self.nino.rawValue))
                .entries
            let actions = entries.map(\.event.action)
            #expect(actions.filter { $0 == "identity.official.grant" }.count == 2)
            #expect(actions.filter { $0 == "identity.official.revoke" }.count == 1)
            #expect(entries.allSatisfy { $0.event.actor.kind == .official })
        }
    }
}
