import CivitasCore
import Crypto
public import Foundation
import SQLKit
public import Storage

/// Counts failed logins in the database and says when an account or a network must wait (``LoginThrottleRules``).
///
/// Nothing lives in memory, so every node behind the load balancer sees the same counts (DESIGN.md). Each failure
/// is one row (the account, the network, the time); counts are over a sliding window of those rows, so two failures
/// at once both count. An account's lock state is one row per account, changed under a row lock (PostgreSQL
/// `SELECT … FOR UPDATE`; SQLite's single writer), so two nodes cannot both decide the same lock.
///
/// Accounts are stored as a SHA-256 of the name, not the name: people type passwords into the username field, and
/// the throttle has no need to read names back. Networks are stored as the /32 or /64 they name, and every row goes
/// once ``removeExpired(at:)`` finds it can no longer matter.
///
/// The login flow: ``check(account:address:at:)`` before verifying anything; then ``recordFailure(account:address:at:)``
/// or ``recordSuccess(account:at:)``. Throttle unknown usernames exactly like known ones, so that a lock does not
/// tell who has an account.
public struct LoginThrottle: Sendable {
    private let database: Database
    /// The limits in force.
    public let rules: LoginThrottleRules

    /// Creates the throttle over its tables (``migrations``).
    public init(database: Database, rules: LoginThrottleRules = LoginThrottleRules()) {
        self.database = database
        self.rules = rules
    }

    /// Whether a login for `account` from `address` may go ahead at `date`.
    public func check(account: String, address: ClientAddress, at date: Date) async throws -> LoginDecision {
        let key = Self.key(account)
        let rules = self.rules
        return try await database.read { sql in
            try await Self.decision(key: key, network: address.network, at: Timestamp(date), rules: rules, sql: sql)
        }
    }

    /// Records a failed login and returns the decision that now holds (which may be the lock it just caused).
    @discardableResult
    public func recordFailure(account: String, address: ClientAddress, at date: Date) async throws -> LoginDecision {
        let key = Self.key(account)
        let rules = self.rules
        let now = Timestamp(date).microseconds
        let lockClause = database.engine == .postgres ? " FOR UPDATE" : ""
        return try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_login_failures (account_key, network, failed_at)
                VALUES (\(bind: key), \(bind: address.network), \(bind: now))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_login_accounts (account_key, counted_from, lockouts, locked_until)
                VALUES (\(bind: key), 0, 0, 0) ON CONFLICT (account_key) DO NOTHING
                """
            ).run()
            let row = try await sql.raw(
                """
                SELECT counted_from, lockouts, locked_until FROM identity_login_accounts
                WHERE account_key = \(bind: key)\(unsafeRaw: lockClause)
                """
            ).first()!
            let lockedUntil = try row.decode(column: "locked_until", as: Int64.self)
            if lockedUntil <= now {
                let countedFrom = try row.decode(column: "counted_from", as: Int64.self)
                let windowStart = now - Self.microseconds(rules.accountWindow)
                let failures = try await sql.raw(
                    """
                    SELECT COUNT(*) AS n FROM identity_login_failures
                    WHERE account_key = \(bind: key) AND failed_at >= \(bind: countedFrom)
                        AND failed_at > \(bind: windowStart) AND failed_at <= \(bind: now)
                    """
                ).first()!.decode(column: "n", as: Int.self)
                if failures >= rules.accountFailureLimit {
                    let previous = try row.decode(column: "lockouts", as: Int.self)
                    let escalates =
                        previous > 0 && now < lockedUntil + Self.microseconds(rules.escalationMemory)
                    let level = escalates ? previous + 1 : 1
                    let until = now + Self.microseconds(rules.lockout(level: level))
                    // Failures from now on count toward the next lock only once this one is over.
                    try await sql.raw(
                        """
                        UPDATE identity_login_accounts
                        SET counted_from = \(bind: until), lockouts = \(bind: level), locked_until = \(bind: until)
                        WHERE account_key = \(bind: key)
                        """
                    ).run()
                }
            }
            return try await Self.decision(
                key: key, network: address.network, at: Timestamp(microseconds: now), rules: rules, sql: sql)
        }
    }

    /// Records a successful login: the account's earlier failures stop counting and its next lock starts again at
    /// the first length. (The network's failures still count: they may be against other accounts.)
    public func recordSuccess(account: String, at date: Date) async throws {
        let key = Self.key(account)
        let after = Timestamp(date).microseconds + 1
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_login_accounts (account_key, counted_from, lockouts, locked_until)
                VALUES (\(bind: key), \(bind: after), 0, 0)
                ON CONFLICT (account_key) DO UPDATE SET counted_from = excluded.counted_from, lockouts = 0
                """
            ).run()
        }
    }

    /// Deletes the rows that can no longer change a decision at `date` or later: failures older than both windows,
    /// and account rows with no lock and no escalation left. Returns how many rows went.
    ///
    /// Run it periodically (hourly is plenty); running it on several nodes at once is harmless.
    @discardableResult
    public func removeExpired(at date: Date) async throws -> Int {
        let now = Timestamp(date).microseconds
        let failuresBefore = now - Self.microseconds(max(rules.accountWindow, rules.addressWindow))
        let countedBefore = now - Self.microseconds(rules.accountWindow)
        let lockedBefore = now - Self.microseconds(rules.escalationMemory)
        return try await database.transaction { sql in
            let failureCondition: SQLQueryString = "failed_at <= \(bind: failuresBefore)"
            let accountCondition: SQLQueryString =
                "counted_from <= \(bind: countedBefore) AND locked_until <= \(bind: lockedBefore)"
            let failures = try await sql.raw(
                "SELECT COUNT(*) AS n FROM identity_login_failures WHERE \(failureCondition)"
            ).first()!.decode(column: "n", as: Int.self)
            let accounts = try await sql.raw(
                "SELECT COUNT(*) AS n FROM identity_login_accounts WHERE \(accountCondition)"
            ).first()!.decode(column: "n", as: Int.self)
            try await sql.raw("DELETE FROM identity_login_failures WHERE \(failureCondition)").run()
            try await sql.raw("DELETE FROM identity_login_accounts WHERE \(accountCondition)").run()
            return failures + accounts
        }
    }

    /// The decision at `now` from the account's lock and the network's failures in its window.
    private static func decision(
        key: String, network: String, at now: Timestamp, rules: LoginThrottleRules, sql: any SQLDatabase
    ) async throws -> LoginDecision {
        var until: Int64 = 0
        if let row = try await sql.raw(
            "SELECT locked_until FROM identity_login_accounts WHERE account_key = \(bind: key)"
        ).first() {
            let locked = try row.decode(column: "locked_until", as: Int64.self)
            if locked > now.microseconds { until = locked }
        }
        // The network is blocked while its window holds `addressFailureLimit` failures: until the oldest of the
        // latest that many leaves the window.
        let window = microseconds(rules.addressWindow)
        if let row = try await sql.raw(
            """
            SELECT failed_at FROM identity_login_failures
            WHERE network = \(bind: network) AND failed_at > \(bind: now.microseconds - window)
                AND failed_at <= \(bind: now.microseconds)
            ORDER BY failed_at DESC LIMIT 1 OFFSET \(bind: rules.addressFailureLimit - 1)
            """
        ).first() {
            until = max(until, try row.decode(column: "failed_at", as: Int64.self) + window)
        }
        return until > now.microseconds ? .lockedUntil(Timestamp(microseconds: until).date) : .allowed
    }

    /// The stored form of an account name: hex SHA-256 of its UTF-8 bytes.
    static func key(_ account: String) -> String {
        SHA256.hash(data: Array(account.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    static func microseconds(_ interval: TimeInterval) -> Int64 { Int64((interval * 1_000_000).rounded()) }
}
