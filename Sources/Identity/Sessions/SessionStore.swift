public import Audit
public import CivitasCore
import Crypto
public import Foundation
import SQLKit
public import Storage

/// Sessions in the database, so that any node can serve any request of the browser.
///
/// A session ends when it is signed out, after ``idleTimeout`` without a request, or at ``absoluteTimeout``
/// after it began. Opening a session always makes a new token (no session fixation); a step-up on the same
/// person keeps the session and adds the methods.
public struct SessionStore: Sendable {
    private let database: Database
    private let audit: AuditLog
    private let clock: any WallClock
    /// How long a session lives without a request.
    public let idleTimeout: TimeInterval
    /// How long a session lives at most.
    public let absoluteTimeout: TimeInterval
    /// The last-seen time is written at most this often, so that reading pages does not write on every request.
    static let touchInterval: TimeInterval = 60

    /// Creates the store.
    public init(
        database: Database, audit: AuditLog, clock: any WallClock = SystemClock(), idleTimeout: TimeInterval = 15 * 60,
        absoluteTimeout: TimeInterval = 8 * 3600
    ) {
        self.database = database
        self.audit = audit
        self.clock = clock
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    /// Opens a session for `authentication`; returns the token for the cookie, and the session.
    public func open(
        _ authentication: Authentication, userAgent: String?
    ) async throws -> (token: String, session: Session) {
        let token = Self.randomToken()
        let id = Self.randomToken(bytes: 12)
        let now = clock.now()
        let session = Session(
            id: id, personalNumber: authentication.personalNumber, methods: authentication.methods,
            authenticatedAt: authentication.authenticatedAt, createdAt: now, lastSeenAt: now,
            expiresAt: now.addingTimeInterval(absoluteTimeout), userAgent: userAgent.map { String($0.prefix(256)) })
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_sessions (token_hash, id, personal_number, methods, authenticated_at, created_at,
                    last_seen_at, expires_at, user_agent)
                VALUES (\(bind: Self.hash(token)), \(bind: id), \(bind: session.personalNumber.rawValue),
                    \(bind: Self.encode(session.methods)), \(bind: Timestamp(session.authenticatedAt).microseconds),
                    \(bind: Timestamp(now).microseconds), \(bind: Timestamp(now).microseconds),
                    \(bind: Timestamp(session.expiresAt).microseconds), \(bind: session.userAgent))
                """
            ).run()
            _ = try await audit.append(
                Self.event(
                    session.personalNumber, "identity.session.open", id,
                    "sign in with \(Self.encode(session.methods)) at \(session.level.acr)"), in: sql)
        }
        return (token, session)
    }

    /// The live session of `token`, or `nil` when there is none, it was signed out, or it timed out.
    public func session(token: String) async throws -> Session? {
        guard Self.isWellFormed(token) else { return nil }
        let now = clock.now()
        let row = try await database.read { sql in
            try await sql.raw(
                "SELECT * FROM identity_sessions WHERE token_hash = \(bind: Self.hash(token)) AND ended_at IS NULL"
            ).first()
        }
        guard let row, let session = try Self.session(from: row) else { return nil }
        guard now < session.expiresAt, now < session.lastSeenAt.addingTimeInterval(idleTimeout) else { return nil }
        if now.timeIntervalSince(session.lastSeenAt) >= Self.touchInterval {
            try await database.transaction { sql in
                try await sql.raw(
                    """
                    UPDATE identity_sessions SET last_seen_at = \(bind: Timestamp(now).microseconds)
                    WHERE token_hash = \(bind: Self.hash(token))
                    """
                ).run()
            }
        }
        return session
    }

    /// Adds `authentication`'s methods to the session of `token` (a step-up); the person must be the same.
    ///
    /// - Returns: the stepped-up session, or `nil` when the token has no live session.
    public func stepUp(token: String, with authentication: Authentication) async throws -> Session? {
        guard let current = try await session(token: token) else { return nil }
        guard current.personalNumber == authentication.personalNumber else {
            throw IdentityError(.invalidTransition, "a session cannot change to another person")
        }
        let methods = current.methods.union(authentication.methods)
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE identity_sessions SET methods = \(bind: Self.encode(methods)),
                    authenticated_at = \(bind: Timestamp(authentication.authenticatedAt).microseconds)
                WHERE token_hash = \(bind: Self.hash(token))
                """
            ).run()
            _ = try await audit.append(
                Self.event(
                    current.personalNumber, "identity.session.step-up", current.id,
                    "step up with \(Self.encode(authentication.methods))"), in: sql)
        }
        return try await session(token: token)
    }

    /// Signs out the session of `token`.
    public func end(token: String) async throws {
        guard Self.isWellFormed(token), let current = try await session(token: token) else { return }
        try await end(where: "token_hash = \(bind: Self.hash(token))", person: current.personalNumber, what: current.id)
    }

    /// Signs out the person's session `id` (from the list of sessions).
    public func end(id: String, of person: PersonalNumber) async throws {
        guard Self.isWellFormed(id, length: 16) else { throw IdentityError(.notFound, "no such session") }
        try await end(
            where: "id = \(bind: id) AND personal_number = \(bind: person.rawValue)", person: person, what: id)
    }

    /// Signs out every session of the person.
    public func endAll(of person: PersonalNumber) async throws {
        try await end(where: "personal_number = \(bind: person.rawValue)", person: person, what: "all")
    }

    /// The person's live sessions, newest first.
    public func active(of person: PersonalNumber) async throws -> [Session] {
        let now = clock.now()
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM identity_sessions WHERE personal_number = \(bind: person.rawValue) AND ended_at IS NULL
                    AND expires_at > \(bind: Timestamp(now).microseconds)
                    AND last_seen_at > \(bind: Timestamp(now.addingTimeInterval(-idleTimeout)).microseconds)
                ORDER BY created_at DESC
                """
            ).all()
        }
        return try rows.compactMap(Self.session(from:))
    }

    /// Ends the live sessions matching `condition`, with one audit entry.
    private func end(where condition: SQLQueryString, person: PersonalNumber, what: String) async throws {
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                "UPDATE identity_sessions SET ended_at = \(bind: now) WHERE ended_at IS NULL AND " + condition
            ).run()
            _ = try await audit.append(Self.event(person, "identity.session.end", what, "sign out"), in: sql)
        }
    }

    static func event(_ person: PersonalNumber, _ action: String, _ id: String, _ purpose: String) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(kind: .person, id: person.rawValue), action: action,
            object: AuditObject(type: "session", id: id),
            subject: DataSubject(kind: "person", identifier: person.rawValue), purpose: purpose)
    }

    static func session(from row: any SQLRow) throws -> Session? {
        let methods = Set(
            try row.decode(column: "methods", as: String.self).split(separator: " ").compactMap {
                AuthenticationMethod(rawValue: String($0))
            })
        func date(_ column: String) throws -> Date {
            Timestamp(microseconds: try row.decode(column: column, as: Int64.self)).date
        }
        return Session(
            id: try row.decode(column: "id", as: String.self),
            personalNumber: try PersonalNumber(try row.decode(column: "personal_number", as: String.self)),
            methods: methods, authenticatedAt: try date("authenticated_at"), createdAt: try date("created_at"),
            lastSeenAt: try date("last_seen_at"), expiresAt: try date("expires_at"),
            userAgent: try row.decode(column: "user_agent", as: String?.self))
    }

    static func encode(_ methods: Set<AuthenticationMethod>) -> String {
        methods.map(\.rawValue).sorted().joined(separator: " ")
    }

    /// A random token, base64url without padding.
    static func randomToken(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Base64URL.encode(bytes)
    }

    /// Whether `token` is base64url of the given length (43 characters: 32 bytes).
    static func isWellFormed(_ token: String, length: Int = 43) -> Bool {
        token.utf8.count == length
            && token.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D
                    || $0 == 0x5F
            }
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }
}
