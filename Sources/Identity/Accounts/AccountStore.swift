public import Audit
public import CivitasCore
public import Foundation
import SQLKit
public import Storage
public import Trust

/// Username-and-password accounts: created at a service hall with a one-time activation code, changed at first
/// login, protected by the login throttle, with an optional TOTP second factor.
///
/// ``authenticate(username:password:address:)`` answers an unknown username exactly as a wrong password, and
/// spends the same scrypt work on both (no enumeration by answer or by time).
///
/// TOTP seeds are kept sealed with ``secretsKey`` (AES-256-GCM, bound to the person), so that a copy of the
/// database alone does not give anyone's second factor; a store without the key keeps them in clear (development
/// and tests), and reads seeds stored in clear before sealing was configured.
public struct AccountStore: Sendable {
    private let database: Database
    private let audit: AuditLog
    private let hasher: PasswordHasher
    private let throttle: LoginThrottle
    private let policy: PasswordPolicy
    private let population: PopulationRegister
    private let clock: any WallClock
    /// The key TOTP seeds are sealed with (the node's key-encryption key).
    public var secretsKey: KeyEncryptionKey?

    /// Creates the store.
    public init(
        database: Database, audit: AuditLog, hasher: PasswordHasher, throttle: LoginThrottle,
        policy: PasswordPolicy = PasswordPolicy(), clock: any WallClock = SystemClock()
    ) {
        self.database = database
        self.audit = audit
        self.hasher = hasher
        self.throttle = throttle
        self.policy = policy
        self.population = PopulationRegister(database: database, audit: audit)
        self.clock = clock
    }

    /// The outcome of a password login.
    public enum Outcome: Sendable, Hashable {
        /// The password is right: the account, and what must follow (TOTP, a new password).
        case success(Account)
        /// Wrong username or password (the same answer for both).
        case failure
        /// Too many failures: no attempt is checked before this instant.
        case locked(until: Date)
    }

    /// Usernames: 3 to 64 lowercase letters, digits, `.`, `-`, `_`.
    public static func normalizedUsername(_ text: String) -> String? {
        let username = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard (3...64).contains(username.utf8.count),
            username.utf8.allSatisfy({
                (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F
            })
        else { return nil }
        return username
    }

    /// Creates the account of a registered, living person at a service hall: returns the one-time activation
    /// code the official hands over, which the person must replace at first login.
    public func createAtServiceHall(
        for person: PersonalNumber, username: String, actor: AuditActor
    ) async throws
        -> String
    {
        guard let username = Self.normalizedUsername(username) else {
            throw IdentityError(.invalidRecord, "a username is 3 to 64 letters, digits, '.', '-' or '_'")
        }
        guard try await population.person(person)?.status == .alive else {
            throw IdentityError(.notFound, "no living person with personal number \(person)")
        }
        let code = Self.activationCode()
        try await create(person, username: username, password: code, mustChange: true, actor: actor)
        return code
    }

    /// Creates an account with a chosen password (the demo country's residents; a migration from another system).
    public func create(
        for person: PersonalNumber, username: String, password: String, actor: AuditActor
    ) async throws {
        guard let username = Self.normalizedUsername(username) else {
            throw IdentityError(.invalidRecord, "a username is 3 to 64 letters, digits, '.', '-' or '_'")
        }
        guard let record = try await population.person(person) else {
            throw IdentityError(.notFound, "no person with personal number \(person)")
        }
        do {
            try policy.check(password, for: PasswordContext(username: username, person: record))
        } catch {
            throw IdentityError(.invalidRecord, "the password is not acceptable: \(error)")
        }
        try await create(person, username: username, password: password, mustChange: false, actor: actor)
    }

    private func create(
        _ person: PersonalNumber, username: String, password: String, mustChange: Bool, actor: AuditActor
    ) async throws {
        let hash = try await hasher.hash(password)
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            let taken = try await sql.raw(
                """
                SELECT 1 AS n FROM identity_accounts
                WHERE username = \(bind: username) OR personal_number = \(bind: person.rawValue)
                """
            ).first()
            guard taken == nil else {
                throw IdentityError(.alreadyRegistered, "the username is taken, or the person has an account already")
            }
            try await sql.raw(
                """
                INSERT INTO identity_accounts (personal_number, username, password_hash, must_change_password,
                    created_at, updated_at)
                VALUES (\(bind: person.rawValue), \(bind: username), \(bind: hash), \(bind: mustChange ? 1 : 0),
                    \(bind: now), \(bind: now))
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.account.create", object: AuditObject(type: "account", id: username),
                    subject: DataSubject(kind: "person", identifier: person.rawValue),
                    purpose: mustChange ? "account opened at a service hall" : "account opened"), in: sql)
        }
    }

    /// Checks a username and password, through the throttle.
    public func authenticate(username: String, password: String, address: ClientAddress) async throws -> Outcome {
        let now = clock.now()
        let key = Self.normalizedUsername(username) ?? "invalid:\(username.prefix(64))"
        if case .lockedUntil(let until) = try await throttle.check(account: key, address: address, at: now) {
            return .locked(until: until)
        }
        let row = try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_accounts WHERE username = \(bind: key) AND disabled_at IS NULL")
                .first()
        }
        guard let row, let stored = try row.decode(column: "password_hash", as: String?.self) else {
            try await hasher.dummyVerify(password)
            return try await failed(key, address: address, at: now)
        }
        guard try await hasher.verify(password, against: stored) else {
            return try await failed(key, address: address, at: now)
        }
        try await throttle.recordSuccess(account: key, at: now)
        let account = try Self.account(from: row)
        if hasher.needsRehash(stored) {
            let fresh = try await hasher.hash(password)
            try await database.transaction { sql in
                try await sql.raw(
                    "UPDATE identity_accounts SET password_hash = \(bind: fresh) WHERE username = \(bind: key)"
                ).run()
            }
        }
        return .success(account)
    }

    private func failed(_ key: String, address: ClientAddress, at now: Date) async throws -> Outcome {
        if case .lockedUntil(let until) = try await throttle.recordFailure(account: key, address: address, at: now) {
            return .locked(until: until)
        }
        return .failure
    }

    /// Replaces the password (after the activation code, or from the account page), checked by the policy.
    public func changePassword(of person: PersonalNumber, to password: String) async throws(PasswordChangeError) {
        do {
            guard let record = try await population.person(person), let account = try await account(of: person) else {
                throw PasswordChangeError.noAccount
            }
            try policy.check(password, for: PasswordContext(username: account.username, person: record))
            let hash = try await hasher.hash(password)
            let now = Timestamp(clock.now()).microseconds
            let audit = self.audit
            try await database.transaction { sql in
                try await sql.raw(
                    """
                    UPDATE identity_accounts SET password_hash = \(bind: hash), must_change_password = 0,
                        updated_at = \(bind: now)
                    WHERE personal_number = \(bind: person.rawValue)
                    """
                ).run()
                _ = try await audit.append(
                    AuditEvent(
                        actor: AuditActor(kind: .person, id: person.rawValue), action: "identity.account.password",
                        object: AuditObject(type: "account", id: account.username),
                        subject: DataSubject(kind: "person", identifier: person.rawValue), purpose: "password changed"),
                    in: sql)
            }
        } catch let error as PasswordChangeError {
            throw error
        } catch let rejected as PasswordRejected {
            throw .rejected(rejected.violations)
        } catch {
            throw .failed("\(error)")
        }
    }

    /// The person's account, if they have one.
    public func account(of person: PersonalNumber) async throws -> Account? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_accounts WHERE personal_number = \(bind: person.rawValue)")
                .first()
        }.map(Self.account(from:))
    }

    /// Turns on TOTP with `secret` once the person has shown a current code from it; audited.
    public func enableSecondFactor(of person: PersonalNumber, secret: TOTPSecret, code: String) async throws -> Bool {
        guard let step = TOTP(secret: secret).verify(code, at: clock.now()) else { return false }
        let stored = try sealed(secret, of: person)
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE identity_accounts SET totp_secret = \(bind: stored), totp_last_step = \(bind: step)
                WHERE personal_number = \(bind: person.rawValue)
                """
            ).run()
            _ = try await audit.append(Self.secondFactorEvent(person, "identity.account.totp.enable"), in: sql)
        }
        return true
    }

    /// Turns TOTP off once the person has shown a current code from it (so a stolen session alone cannot);
    /// audited. Returns whether the code was right.
    public func disableSecondFactor(of person: PersonalNumber, code: String) async throws -> Bool {
        guard try await verifySecondFactor(of: person, code: code) else { return false }
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE identity_accounts SET totp_secret = NULL, totp_last_step = NULL
                WHERE personal_number = \(bind: person.rawValue)
                """
            ).run()
            _ = try await audit.append(Self.secondFactorEvent(person, "identity.account.totp.disable"), in: sql)
        }
        return true
    }

    static func secondFactorEvent(_ person: PersonalNumber, _ action: String) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(kind: .person, id: person.rawValue), action: action,
            object: AuditObject(type: "account", id: person.rawValue),
            subject: DataSubject(kind: "person", identifier: person.rawValue), purpose: "the person's own choice")
    }

    /// Checks a TOTP code for the person; a code of the last accepted step or older is refused (no replay).
    public func verifySecondFactor(of person: PersonalNumber, code: String) async throws -> Bool {
        try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT totp_secret, totp_last_step FROM identity_accounts
                    WHERE personal_number = \(bind: person.rawValue)
                    """
                ).first(), let base32 = try row.decode(column: "totp_secret", as: String?.self)
            else { return false }
            let last = try row.decode(column: "totp_last_step", as: Int64?.self)
            guard let step = TOTP(secret: try opened(base32, of: person)).verify(code, at: clock.now(), after: last)
            else { return false }
            try await sql.raw(
                """
                UPDATE identity_accounts SET totp_last_step = \(bind: step)
                WHERE personal_number = \(bind: person.rawValue)
                """
            ).run()
            return true
        }
    }

    /// How a sealed seed is marked in `totp_secret`; a value without it is a seed in clear (base32).
    static let sealedPrefix = "sealed:v1:"

    private func sealed(_ secret: TOTPSecret, of person: PersonalNumber) throws -> String {
        guard let secretsKey else { return secret.base32 }
        let box = try secretsKey.seal(Array(secret.base32.utf8), name: "identity.totp:\(person.rawValue)")
        return Self.sealedPrefix + Data(box).base64EncodedString()
    }

    private func opened(_ stored: String, of person: PersonalNumber) throws -> TOTPSecret {
        guard stored.hasPrefix(Self.sealedPrefix) else { return try TOTPSecret(base32: stored) }
        guard let secretsKey, let box = Data(base64Encoded: String(stored.dropFirst(Self.sealedPrefix.count))) else {
            throw IdentityError(
                .invalidRecord, "the second factor is sealed and this node has not the key it was sealed with")
        }
        let base32 = try secretsKey.open(Array(box), name: "identity.totp:\(person.rawValue)")
        return try TOTPSecret(base32: String(decoding: base32, as: UTF8.self))
    }

    static func account(from row: any SQLRow) throws -> Account {
        Account(
            personalNumber: try PersonalNumber(try row.decode(column: "personal_number", as: String.self)),
            username: try row.decode(column: "username", as: String.self),
            mustChangePassword: try row.decode(column: "must_change_password", as: Int.self) != 0,
            hasSecondFactor: try row.decode(column: "totp_secret", as: String?.self) != nil)
    }

    /// A one-time activation code: 16 characters from an alphabet without look-alikes, in groups of four.
    static func activationCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }
}

/// Why a new password was not set.
public enum PasswordChangeError: Error, Sendable, Hashable {
    /// The person has no account.
    case noAccount
    /// The policy refused it, for these reasons.
    case rejected([PasswordViolation])
    /// Something else failed.
    case failed(String)
}
