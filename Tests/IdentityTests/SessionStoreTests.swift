import Audit
import CivitasCore
import Foundation
import Identity
import SQLKit
import Storage
import StorageTesting
import Synchronization
import Testing

/// A clock the test moves.
final class TestClock: WallClock {
    private let instant: Mutex<Date>
    init(_ date: Date = Date(timeIntervalSince1970: 1_790_000_000)) { instant = Mutex(date) }
    func now() -> Date { instant.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Sessions")
struct SessionStoreTests {
    static let migrations = AuditLog.migrations + IdentityMigrations.all
    static let nino = PersonalNumber(serial: 1_001_011)
    static let giorgi = PersonalNumber(serial: 2_002_022)

    static func login(_ person: PersonalNumber, _ methods: Set<AuthenticationMethod>, at date: Date) -> Authentication {
        Authentication(personalNumber: person, methods: methods, authenticatedAt: date)
    }

    @Test(
        "a session opens, reads back, steps up and signs out; the table holds no token",
        arguments: DatabaseEngine.allCases)
    func lifecycle(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let clock = TestClock()
            let store = SessionStore(database: database, audit: AuditLog(database: database), clock: clock)
            let (token, opened) = try await store.open(
                Self.login(Self.nino, [.password], at: clock.now()), userAgent: "Firefox")
            #expect(opened.level == .low)
            let read = try #require(try await store.session(token: token))
            #expect(read.personalNumber == Self.nino)
            #expect(read.methods == [.password])
            let stored = try await database.read { sql in
                try await sql.raw("SELECT token_hash FROM identity_sessions").all().map {
                    try $0.decode(column: "token_hash", as: String.self)
                }
            }
            #expect(stored.count == 1 && stored[0] != token && !stored[0].contains(token))

            clock.advance(120)
            let stepped = try #require(
                try await store.stepUp(token: token, with: Self.login(Self.nino, [.oneTimePassword], at: clock.now())))
            #expect(stepped.level == .substantial)
            #expect(stepped.methods == [.password, .oneTimePassword])
            #expect(stepped.authenticatedAt == clock.now())
            await #expect(throws: IdentityError.self) {
                _ = try await store.stepUp(token: token, with: Self.login(Self.giorgi, [.smartCard], at: clock.now()))
            }
            try await store.end(token: token)
            #expect(try await store.session(token: token) == nil)
            let actions = try await AuditLog(database: database).entries(
                about: DataSubject(kind: "person", identifier: Self.nino.rawValue)
            ).entries.map(\.event.action)
            #expect(actions == ["identity.session.end", "identity.session.step-up", "identity.session.open"])
        }
    }

    @Test("sessions time out when idle and at their absolute limit, whatever the activity")
    func timeouts() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database in
            let clock = TestClock()
            let store = SessionStore(
                database: database, audit: AuditLog(database: database), clock: clock, idleTimeout: 600,
                absoluteTimeout: 3600)
            let (idle, _) = try await store.open(Self.login(Self.nino, [.password], at: clock.now()), userAgent: nil)
            let (busy, _) = try await store.open(Self.login(Self.nino, [.password], at: clock.now()), userAgent: nil)
            // The busy browser comes back every 5 minutes; the idle one does not.
            for _ in 0..<11 {
                clock.advance(300)
                #expect(try await store.session(token: busy) != nil)
            }
            #expect(try await store.session(token: idle) == nil, "idle for 55 minutes")
            clock.advance(300)
            #expect(try await store.session(token: busy) == nil, "past the absolute limit of an hour")
        }
    }

    @Test("sign out everywhere, the list of sessions, and bad tokens", arguments: DatabaseEngine.allCases)
    func everywhere(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let clock = TestClock()
            let store = SessionStore(database: database, audit: AuditLog(database: database), clock: clock)
            var tokens: [String] = []
            for agent in ["phone", "laptop", "library"] {
                clock.advance(1)
                tokens.append(
                    try await store.open(Self.login(Self.nino, [.smartCard], at: clock.now()), userAgent: agent).token)
            }
            let (other, _) = try await store.open(Self.login(Self.giorgi, [.password], at: clock.now()), userAgent: nil)
            let listed = try await store.active(of: Self.nino)
            #expect(listed.map(\.userAgent) == ["library", "laptop", "phone"])
            try await store.end(id: listed[2].id, of: Self.nino)
            #expect(try await store.session(token: tokens[0]) == nil)
            #expect(try await store.active(of: Self.nino).count == 2)
            // Someone else's session id does nothing to theirs.
            try await store.end(id: listed[0].id, of: Self.giorgi)
            #expect(try await store.session(token: tokens[2]) != nil)
            try await store.endAll(of: Self.nino)
            for token in tokens { #expect(try await store.session(token: token) == nil) }
            #expect(try await store.session(token: other) != nil, "other people's sessions stay")
            for bad in ["", "x", String(repeating: "A", count: 43), "' OR 1=1 --", String(repeating: "é", count: 43)] {
                #expect(try await store.session(token: bad) == nil)
            }
            await #expect(throws: IdentityError.self) { try await store.end(id: "'; DROP TABLE x", of: Self.nino) }
        }
    }
}
