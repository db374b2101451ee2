public import Audit
public import CivitasCore
public import Foundation
import SQLKit
public import Storage

/// The pending eID card and mobile ID logins, in `identity_device_logins`.
///
/// A login is started by a browser, answered once by a card or device (after ``DeviceLoginService`` has checked
/// the answer), and finished once by the browser that started it; it lasts ``lifetime`` seconds. Every step is
/// one transaction whose `WHERE` names the state it expects, so two nodes racing on one login cannot both win.
public struct DeviceLogins: Sendable {
    /// How long a login accepts an answer and can be finished: two minutes.
    public static let lifetime: TimeInterval = 120
    /// How long finished and expired logins are kept before a new start removes them.
    static let retention: TimeInterval = 3600

    let database: Database
    let audit: AuditLog
    let clock: any WallClock

    /// Creates the store.
    public init(database: Database, audit: AuditLog, clock: any WallClock = SystemClock()) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Starts a login for the relying `origin`; returns it and the browser-binding secret for the browser's
    /// cookie (the table keeps only its hash).
    public func start(
        method: DeviceLoginMethod, origin: String
    ) async throws -> (
        login: DeviceLogin, browserSecret: String
    ) {
        let now = clock.now()
        let id = Self.randomHex(16)
        var generator = SystemRandomNumberGenerator()
        let challenge = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = BrowserBinding.generate()
        let expires = now.addingTimeInterval(Self.lifetime)
        let code = try await database.transaction { sql in
            try await sql.raw(
                """
                DELETE FROM identity_device_logins
                WHERE expires_at < \(bind: Timestamp(now.addingTimeInterval(-Self.retention)).microseconds)
                """
            ).run()
            var code = DeviceLoginCode.random()
            while try await sql.raw("SELECT 1 AS n FROM identity_device_logins WHERE code = \(bind: code.digits)")
                .first() != nil
            {
                code = DeviceLoginCode.random()
            }
            try await sql.raw(
                """
                INSERT INTO identity_device_logins (id, code, method, origin, challenge, browser_hash, state,
                    created_at, expires_at)
                VALUES (\(bind: id), \(bind: code.digits), \(bind: method.rawValue), \(bind: origin),
                    \(bind: Data(challenge)), \(bind: Data(BrowserBinding.hash(secret))), 'pending',
                    \(bind: Timestamp(now).microseconds), \(bind: Timestamp(expires).microseconds))
                """
            ).run()
            return code
        }
        let login = DeviceLogin(
            id: id, code: code, method: method, origin: origin, challenge: challenge, state: .pending,
            createdAt: Timestamp(now).date, expiresAt: Timestamp(expires).date)
        return (login, secret)
    }

    /// The login with `code`, as of now.
    ///
    /// - Throws: ``IdentityError`` `loginNotFound`.
    public func login(code: DeviceLoginCode) async throws -> DeviceLogin {
        let row = try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_device_logins WHERE code = \(bind: code.digits)").first()
        }
        guard let row else { throw IdentityError(.loginNotFound, "no login has the code \(code)") }
        return try Self.login(from: row, now: clock.now())
    }

    /// The login with `id`, as of now.
    ///
    /// - Throws: ``IdentityError`` `loginNotFound`.
    public func login(id: String) async throws -> DeviceLogin {
        guard Self.isWellFormedID(id) else { throw IdentityError(.loginNotFound, "no such login") }
        let row = try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_device_logins WHERE id = \(bind: id)").first()
        }
        guard let row else { throw IdentityError(.loginNotFound, "no such login") }
        return try Self.login(from: row, now: clock.now())
    }

    /// What ``finish(id:browserSecret:)`` found.
    public enum Progress: Sendable, Hashable {
        /// Not answered yet: the browser keeps waiting.
        case waiting(DeviceLogin)
        /// Answered and now consumed: the person is authenticated.
        case completed(Authentication)
    }

    /// Records a checked answer: `pending` becomes `answered`, once, within the lifetime.
    ///
    /// - Throws: ``IdentityError`` `loginNotFound`, `loginExpired` (and the login is marked expired),
    ///   `loginAlreadyUsed`, or `malformedAnswer` for a login of the other method.
    func recordAnswer(
        _ login: DeviceLogin, personalNumber: PersonalNumber, credential: String, signedAt: Date,
        requestID: String?
    ) async throws -> DeviceLogin {
        let now = clock.now()
        let audit = self.audit
        let outcome: Result<Void, IdentityError> = try await database.transaction { sql in
            guard
                let row = try await sql.raw("SELECT * FROM identity_device_logins WHERE id = \(bind: login.id)")
                    .first()
            else { return .failure(IdentityError(.loginNotFound, "no login has the code \(login.code)")) }
            let current = try Self.login(from: row, now: now)
            switch current.state {
            case .pending: break
            case .expired:
                try await Self.markExpired(current.id, in: sql)
                return .failure(Self.expired(current))
            case .answered, .consumed:
                return .failure(IdentityError(.loginAlreadyUsed, "the login \(current.code) was answered already"))
            }
            guard current.method == login.method, current.challenge == login.challenge else {
                return .failure(IdentityError(.malformedAnswer, "the answer is for another login"))
            }
            let updated = try await sql.raw(
                """
                UPDATE identity_device_logins SET state = 'answered', answered_at = \(bind: Timestamp(now).microseconds),
                    signed_at = \(bind: Timestamp(signedAt).microseconds),
                    personal_number = \(bind: personalNumber.rawValue), credential = \(bind: credential)
                WHERE id = \(bind: login.id) AND state = 'pending'
                RETURNING id
                """
            ).all()
            guard !updated.isEmpty else {
                return .failure(IdentityError(.loginAlreadyUsed, "the login \(current.code) was answered already"))
            }
            _ = try await audit.append(
                AuditEvent(
                    actor: AuditActor(kind: .person, id: personalNumber.rawValue), action: "identity.login.answer",
                    object: AuditObject(type: "device-login", id: login.id),
                    subject: DataSubject(kind: "person", identifier: personalNumber.rawValue),
                    purpose: "answer a \(login.method.rawValue) login to \(login.origin) with \(credential)",
                    requestID: requestID),
                in: sql)
            return .success(())
        }
        try outcome.get()
        return try await self.login(id: login.id)
    }

    /// Finishes the login `id` for the browser holding `browserSecret`: consumes an answered login once.
    ///
    /// - Throws: ``IdentityError`` `loginNotFound`, `wrongBrowser` (nothing changes), `loginExpired` (the login
    ///   is marked expired), `loginAlreadyUsed` for a consumed one.
    public func finish(id: String, browserSecret: String?, requestID: String? = nil) async throws -> Progress {
        guard Self.isWellFormedID(id) else { throw IdentityError(.loginNotFound, "no such login") }
        let now = clock.now()
        let audit = self.audit
        let outcome: Result<Progress, IdentityError> = try await database.transaction { sql in
            guard let row = try await sql.raw("SELECT * FROM identity_device_logins WHERE id = \(bind: id)").first()
            else { return .failure(IdentityError(.loginNotFound, "no such login")) }
            let stored = Array(try row.decode(column: "browser_hash", as: Data.self))
            guard let browserSecret, BrowserBinding.matches(stored, BrowserBinding.hash(browserSecret)) else {
                return .failure(
                    IdentityError(.wrongBrowser, "this login was started in another browser; start a new one here"))
            }
            let login = try Self.login(from: row, now: now)
            switch login.state {
            case .pending:
                return .success(.waiting(login))
            case .expired:
                try await Self.markExpired(id, in: sql)
                return .failure(Self.expired(login))
            case .consumed:
                return .failure(IdentityError(.loginAlreadyUsed, "this login is finished already"))
            case .answered:
                break
            }
            guard let person = login.personalNumber,
                let answeredAt = try row.decode(column: "answered_at", as: Int64?.self)
            else { return .failure(IdentityError(.invalidRecord, "an answered login has no person")) }
            let consumed = try await sql.raw(
                """
                UPDATE identity_device_logins SET state = 'consumed', consumed_at = \(bind: Timestamp(now).microseconds)
                WHERE id = \(bind: id) AND state = 'answered'
                RETURNING id
                """
            ).all()
            guard !consumed.isEmpty else {
                return .failure(IdentityError(.loginAlreadyUsed, "this login is finished already"))
            }
            _ = try await audit.append(
                AuditEvent(
                    actor: AuditActor(kind: .person, id: person.rawValue), action: "identity.login.complete",
                    object: AuditObject(type: "device-login", id: id),
                    subject: DataSubject(kind: "person", identifier: person.rawValue),
                    purpose: "log in to \(login.origin) by \(login.method.rawValue)", requestID: requestID),
                in: sql)
            return .success(
                .completed(
                    Authentication(
                        personalNumber: person, methods: [login.method.authenticationMethod],
                        authenticatedAt: Timestamp(microseconds: answeredAt).date)))
        }
        return try outcome.get()
    }

    static func expired(_ login: DeviceLogin) -> IdentityError {
        IdentityError(.loginExpired, "the login \(login.code) expired at \(Timestamp(login.expiresAt)); start again")
    }

    static func markExpired(_ id: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE identity_device_logins SET state = 'expired' WHERE id = \(bind: id) AND state IN ('pending', 'answered')"
        ).run()
    }

    static func login(from row: any SQLRow, now: Date) throws -> DeviceLogin {
        guard let code = DeviceLoginCode(try row.decode(column: "code", as: String.self)),
            let method = DeviceLoginMethod(rawValue: try row.decode(column: "method", as: String.self)),
            var state = DeviceLoginState(rawValue: try row.decode(column: "state", as: String.self))
        else { throw IdentityError(.invalidRecord, "a stored device login is unreadable") }
        let expires = Timestamp(microseconds: try row.decode(column: "expires_at", as: Int64.self)).date
        if state == .pending || state == .answered, now >= expires { state = .expired }
        return DeviceLogin(
            id: try row.decode(column: "id", as: String.self), code: code, method: method,
            origin: try row.decode(column: "origin", as: String.self),
            challenge: Array(try row.decode(column: "challenge", as: Data.self)), state: state,
            createdAt: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date,
            expiresAt: expires,
            personalNumber: try row.decode(column: "personal_number", as: String?.self).map { try PersonalNumber($0) },
            credential: try row.decode(column: "credential", as: String?.self))
    }

    static func isWellFormedID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<count {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
