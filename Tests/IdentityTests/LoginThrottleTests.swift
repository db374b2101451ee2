import Foundation
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Login throttle")
struct LoginThrottleTests {
    static let migrations = IdentityMigrations.all
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let home = ClientAddress("192.0.2.10")!
    static let cafe = ClientAddress("2001:db8:77:1::5")!

    static func minutes(_ value: Double) -> TimeInterval { value * 60 }

    static func with(_ engine: DatabaseEngine, _ body: @Sendable (LoginThrottle) async throws -> Void) async throws {
        try await TestDatabase.with(engine, migrations: migrations) { database async throws in
            try await body(LoginThrottle(database: database))
        }
    }

    @Test(
        "five failures lock the account for 15 minutes, from any address; then it is allowed again",
        arguments: DatabaseEngine.allCases)
    func accountLock(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { throttle async throws in
            for index in 0..<4 {
                let at = Self.start + Self.minutes(Double(index))
                #expect(try await throttle.check(account: "nino", address: Self.home, at: at) == .allowed)
                #expect(try await throttle.recordFailure(account: "nino", address: Self.home, at: at) == .allowed)
            }
            let fifth = Self.start + Self.minutes(10)
            let until = fifth + Self.minutes(15)
            #expect(
                try await throttle.recordFailure(account: "nino", address: Self.cafe, at: fifth) == .lockedUntil(until))
            #expect(try await throttle.check(account: "nino", address: Self.home, at: fifth + 1) == .lockedUntil(until))
            #expect(try await throttle.check(account: "nino", address: Self.cafe, at: until - 1) == .lockedUntil(until))
            #expect(try await throttle.check(account: "nino", address: Self.home, at: until) == .allowed)
            // Other accounts, even from the same addresses, are not affected.
            #expect(try await throttle.check(account: "tamar", address: Self.home, at: fifth + 1) == .allowed)
        }
    }

    @Test(
        "each further lock within a day doubles, up to 24 hours; a quiet day starts again at 15 minutes",
        arguments: DatabaseEngine.allCases)
    func escalation(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { throttle async throws in
            var at = Self.start
            var expected: [TimeInterval] = []
            var seen: [TimeInterval] = []
            // Failures from a different /64 each time, so the address limit never plays a part.
            for lock in 1...9 {
                expected.append(min(Self.minutes(15) * pow(2, Double(lock - 1)), 24 * 3600))
                var decision = LoginDecision.allowed
                for attempt in 0..<5 {
                    let address = ClientAddress("2001:db8:\(lock):\(attempt)::1")!
                    decision = try await throttle.recordFailure(account: "nino", address: address, at: at)
                    at += 1
                }
                guard case .lockedUntil(let until) = decision else {
                    Issue.record("lock \(lock) did not happen")
                    return
                }
                seen.append(until.timeIntervalSince(at - 1))
                at = until
            }
            #expect(seen == expected)
            #expect(seen.last == 86_400.0)
            // More than a day after the last lock ended: the next lock is the first again.
            at += 24 * 3600 + 1
            var decision = LoginDecision.allowed
            for attempt in 0..<5 {
                decision = try await throttle.recordFailure(
                    account: "nino", address: ClientAddress("198.51.100.\(attempt)")!, at: at + Double(attempt))
            }
            #expect(decision == .lockedUntil(at + 4 + Self.minutes(15)))
        }
    }

    @Test("a success resets the account's count and its escalation", arguments: DatabaseEngine.allCases)
    func successResets(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { throttle async throws in
            for index in 0..<4 {
                try await throttle.recordFailure(account: "nino", address: Self.home, at: Self.start + Double(index))
            }
            try await throttle.recordSuccess(account: "nino", at: Self.start + 10)
            for index in 0..<4 {
                let decision = try await throttle.recordFailure(
                    account: "nino", address: Self.home, at: Self.start + 20 + Double(index))
                #expect(decision == .allowed)
            }
            let locked = try await throttle.recordFailure(account: "nino", address: Self.home, at: Self.start + 30)
            #expect(locked == .lockedUntil(Self.start + 30 + Self.minutes(15)))
            // After the lock a success brings the next lock back to 15 minutes, not 30.
            let after = Self.start + 30 + Self.minutes(15)
            try await throttle.recordSuccess(account: "nino", at: after)
            var decision = LoginDecision.allowed
            for index in 1...5 {
                decision = try await throttle.recordFailure(
                    account: "nino", address: Self.home, at: after + Double(index))
            }
            #expect(decision == .lockedUntil(after + 5 + Self.minutes(15)))
        }
    }

    @Test("failures older than the account window no longer count", arguments: DatabaseEngine.allCases)
    func accountWindow(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { throttle async throws in
            for index in 0..<4 {
                try await throttle.recordFailure(account: "nino", address: Self.home, at: Self.start + Double(index))
            }
            let nextDay = Self.start + 24 * 3600 + 4
            #expect(try await throttle.recordFailure(account: "nino", address: Self.home, at: nextDay) == .allowed)
        }
    }

    @Test(
        "20 failures from one network in 15 minutes block it for every account; the window slides",
        arguments: DatabaseEngine.allCases)
    func addressBlock(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { throttle async throws in
            // 20 different accounts, one failure each, from addresses in one IPv6 /64, a minute apart at first.
            var decision = LoginDecision.allowed
            for index in 0..<20 {
                let address = ClientAddress("2001:db8:77:1::\(index + 1)")!
                let at = Self.start + Self.minutes(index < 10 ? Double(index) : 10 + Double(index - 10) / 10)
                decision = try await throttle.recordFailure(account: "user\(index)", address: address, at: at)
                if index < 19 { #expect(decision == .allowed, "failure \(index + 1)") }
            }
            // Blocked until the first failure leaves the 15-minute window.
            let until = Self.start + Self.minutes(15)
            #expect(decision == .lockedUntil(until))
            let now = Self.start + Self.minutes(12)
            #expect(
                try await throttle.check(account: "someone-else", address: Self.cafe, at: now) == .lockedUntil(until))
            #expect(try await throttle.check(account: "someone-else", address: Self.home, at: now) == .allowed)
            // Once the first leaves the window, 19 remain: allowed, until a 20th comes.
            #expect(try await throttle.check(account: "someone-else", address: Self.cafe, at: until) == .allowed)
            let again = try await throttle.recordFailure(account: "user99", address: Self.cafe, at: until + 1)
            #expect(again == .lockedUntil(Self.start + Self.minutes(16)))
            // A success on one account does not clear the network's failures.
            try await throttle.recordSuccess(account: "user0", at: until + 2)
            #expect(
                try await throttle.check(account: "user0", address: Self.cafe, at: until + 3)
                    == .lockedUntil(Self.start + Self.minutes(16)))
        }
    }

    @Test(
        "when both hold, the later of the account lock and the network block is the answer",
        arguments: DatabaseEngine.allCases)
    func laterOfBoth(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { throttle async throws in
            for index in 0..<19 {
                try await throttle.recordFailure(
                    account: "other\(index)", address: Self.home, at: Self.start + Double(index))
            }
            for index in 0..<4 {
                try await throttle.recordFailure(
                    account: "nino", address: Self.cafe, at: Self.start + 100 + Double(index))
            }
            // The 20th network failure and the 5th account failure at once: the account lock ends later.
            let at = Self.start + 200
            let decision = try await throttle.recordFailure(account: "nino", address: Self.home, at: at)
            #expect(decision == .lockedUntil(at + Self.minutes(15)))
            #expect(
                try await throttle.check(account: "tamar", address: Self.home, at: at + 1)
                    == .lockedUntil(Self.start + Self.minutes(15)))
        }
    }

    @Test("concurrent failures all count: none is lost between nodes", arguments: DatabaseEngine.allCases)
    func concurrentFailures(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database async throws in
            let throttle = LoginThrottle(database: database)
            for index in 0..<3 {
                try await throttle.recordFailure(account: "nino", address: Self.home, at: Self.start + Double(index))
            }
            // Two failures at once make the fourth and fifth: the account must be locked afterwards.
            let at = Self.start + 10
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<2 {
                    group.addTask {
                        try await throttle.recordFailure(
                            account: "nino", address: ClientAddress("192.0.2.\(100 + index)")!, at: at)
                    }
                }
                try await group.waitForAll()
            }
            #expect(
                try await throttle.check(account: "nino", address: Self.cafe, at: at + 1)
                    == .lockedUntil(at + Self.minutes(15)))
            // Forty failures at once from one network against forty accounts: the network is blocked and every
            // failure is stored.
            let burst = Self.start + 100
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await throttle.recordFailure(account: "user\(index)", address: Self.cafe, at: burst)
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM identity_login_failures").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(stored == 45)
            #expect(
                try await throttle.check(account: "x", address: Self.cafe, at: burst + 1)
                    == .lockedUntil(burst + Self.minutes(15)))
        }
    }

    @Test("cleanup removes only rows that can no longer matter", arguments: DatabaseEngine.allCases)
    func cleanup(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database async throws in
            let throttle = LoginThrottle(database: database)
            for index in 0..<5 {
                try await throttle.recordFailure(account: "nino", address: Self.home, at: Self.start + Double(index))
            }
            try await throttle.recordFailure(account: "tamar", address: Self.home, at: Self.start + 3600)
            // An hour on, only tamar's account row goes (it holds no lock and no count the window does not hold);
            // nino's lock still matters for escalation, and every failure is still in the account window.
            #expect(try await throttle.removeExpired(at: Self.start + 3601) == 1)
            // A day and a bit after the first failures: nino's five failures and lock row go; tamar's stay.
            let later = Self.start + 24 * 3600 + 15 * 60 + 10
            #expect(try await throttle.removeExpired(at: later) == 6)
            let remaining = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM identity_login_failures").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(remaining == 1)
            #expect(try await throttle.check(account: "nino", address: Self.home, at: later) == .allowed)
            #expect(try await throttle.removeExpired(at: Self.start + 3 * 24 * 3600) == 1)
            #expect(try await throttle.removeExpired(at: Self.start + 3 * 24 * 3600) == 0)
        }
    }

    @Test("account names are stored only as hashes")
    func noNamesStored() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database async throws in
            let throttle = LoginThrottle(database: database)
            try await throttle.recordFailure(
                account: "my secret password typed as a name", address: Self.home, at: Self.start)
            let keys = try await database.read { sql in
                try await sql.raw(
                    "SELECT account_key FROM identity_login_failures UNION SELECT account_key FROM identity_login_accounts"
                ).all().map {
                    try $0.decode(column: "account_key", as: String.self)
                }
            }
            #expect(keys.count == 1)
            #expect(keys.allSatisfy { $0.count == 64 && !$0.contains("secret") })
        }
    }
}
