public import Audit
public import CivitasCore
import Crypto
public import Foundation
import SQLKit
public import Storage

/// The OpenID Connect provider: the authorization code flow with PKCE, ID and access tokens, refresh tokens
/// with rotation and reuse detection, userinfo, consent, and the client registry behind them.
///
/// The provider knows nothing of HTTP: ``OpenIDRoutes`` turns requests into calls and outcomes into responses.
/// Everything it remembers between requests is in the database, so any node can serve any step.
public struct OpenIDProvider: Sendable {
    /// The issuer identifier: the node's public URL, without a trailing slash.
    public let issuer: String
    /// The relying parties.
    public let clients: RelyingPartyRegistry
    /// The token-signing keys.
    public let keys: SigningKeys
    /// The consent records every answer on the consent screen is also written to (Consent building block).
    public let consentRecords: ConsentStore
    let database: Database
    let audit: AuditLog
    let population: PopulationRegister
    let clock: any WallClock
    /// Powers of attorney and representation, when the node serves them (see OpenIDProvider+Representation).
    public var representation: PowersOfAttorney?

    /// How long an authorization code may wait to be exchanged.
    static let codeLifetime: TimeInterval = 60
    /// How long an authorization request may wait for the login and consent.
    static let requestLifetime: TimeInterval = 15 * 60
    /// Access and ID token lifetime.
    static let tokenLifetime: TimeInterval = 600
    /// Refresh token lifetime.
    static let refreshLifetime: TimeInterval = 30 * 86_400

    /// Creates the provider.
    public init(
        issuer: String, database: Database, audit: AuditLog, keys: SigningKeys, population: PopulationRegister,
        consentRecords: ConsentStore? = nil, clock: any WallClock = SystemClock()
    ) {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.database = database
        self.audit = audit
        self.keys = keys
        self.population = population
        self.clock = clock
        self.clients = RelyingPartyRegistry(database: database, audit: audit, clock: clock)
        self.consentRecords =
            consentRecords ?? ConsentStore(database: database, audit: audit, keyStore: nil, clock: clock)
    }

    /// An authorization request waiting for its login and consent.
    public struct Pending: Sendable {
        /// Its id (in the login's return address).
        public let id: String
        /// The request.
        public let request: AuthorizationRequest
        /// The relying party.
        public let party: RelyingParty
        /// When it arrived: a `prompt=login` request needs an authentication after this.
        public let createdAt: Date
    }

    /// What the browser must do next.
    public enum Step: Sendable {
        /// Log in (or step up) to at least `level`, then come back to the request `pending`.
        case login(Pending, level: LevelOfAssurance)
        /// Agree to share `scopes` with the relying party.
        case consent(Pending, person: PersonalNumber)
        /// Choose whom to act for: themself or one of `choices` (OpenIDProvider+Representation).
        case chooseActing(Pending, choices: [ActingChoice])
        /// Go back to the relying party (with a code, or an error) at this URL.
        case redirect(String)
    }

    /// Checks a new authorization request and keeps it for the steps to come.
    ///
    /// - Parameter repeated: parameters given more than once, which OAuth refuses (RFC 6749 §3.1).
    public func begin(_ parameters: [String: String], repeated: [String] = []) async throws -> Pending {
        let party = try await parameters["client_id"].asyncFlatMap { try await clients.party($0) }
        let request = try AuthorizationRequest.parse(parameters, party: party, repeated: repeated)
        let id = SessionStore.randomToken()
        let now = clock.now()
        let encoded = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        try await database.transaction { sql in
            try await sql.raw(
                """
                DELETE FROM identity_oidc_requests WHERE expires_at < \(bind: Timestamp(now).microseconds)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_oidc_requests (id, client_id, request, created_at, expires_at)
                VALUES (\(bind: id), \(bind: request.clientID), \(bind: encoded), \(bind: Timestamp(now).microseconds),
                    \(bind: Timestamp(now.addingTimeInterval(Self.requestLifetime)).microseconds))
                """
            ).run()
        }
        return Pending(id: id, request: request, party: party!, createdAt: now)
    }

    /// The waiting request `id`, unless it expired or was finished.
    public func pending(_ id: String) async throws -> Pending? {
        guard SessionStore.isWellFormed(id) else { return nil }
        let now = Timestamp(clock.now()).microseconds
        guard
            let row = try await database.read({ sql in
                try await sql.raw(
                    "SELECT * FROM identity_oidc_requests WHERE id = \(bind: id) AND expires_at >= \(bind: now)"
                ).first()
            })
        else { return nil }
        let request = try JSONDecoder().decode(
            AuthorizationRequest.self, from: Data(try row.decode(column: "request", as: String.self).utf8))
        guard let party = try await clients.party(request.clientID) else { return nil }
        return Pending(
            id: id, request: request, party: party,
            createdAt: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date)
    }

    /// Decides the next step for `pending`, given the browser's session.
    public func next(_ pending: Pending, session: Session?) async throws -> Step {
        let request = pending.request
        let level = request.requiredLevel(for: pending.party)
        let now = clock.now()
        var needsLogin = session == nil
        if let session {
            if session.level < level { needsLogin = true }
            // A login made after the request arrived was made for it: it satisfies prompt=login and any max_age
            // (max_age=0 would otherwise send the person back to the login page for ever).
            let loggedInForThis = session.authenticatedAt >= pending.createdAt
            if request.prompt.contains("login") && !loggedInForThis { needsLogin = true }
            if let maxAge = request.maxAge, now.timeIntervalSince(session.authenticatedAt) > Double(maxAge),
                !loggedInForThis
            {
                needsLogin = true
            }
            if let hint = request.idTokenHint, try await hintedSubject(hint) != subject(for: session.personalNumber) {
                needsLogin = true
            }
        }
        if needsLogin {
            if request.prompt.contains("none") {
                return .redirect(try await finish(pending, error: "login_required", "The person must log in."))
            }
            return .login(pending, level: level)
        }
        let person = session!.personalNumber
        if !request.prompt.contains("none"), try await needsActingChoice(pending, session: session!) {
            return .chooseActing(
                pending, choices: try await actingChoices(of: person, clientID: pending.party.clientID))
        }
        let granted = try await consentedScopes(of: person, to: pending.party.clientID)
        let wanted = Set(request.scopes).subtracting(["openid"])
        if request.prompt.contains("consent") || !wanted.isSubset(of: granted) {
            if request.prompt.contains("none") {
                return .redirect(
                    try await finish(pending, error: "consent_required", "The person has not agreed to share this."))
            }
            return .consent(pending, person: person)
        }
        return .redirect(
            try await issueCode(
                pending, session: session!, scopes: ["openid"] + request.scopes.filter(granted.contains)))
    }

    /// Records the person's answer on the consent screen and goes back to the relying party.
    ///
    /// - Parameter scopes: the scopes the person left ticked; `openid` is always kept, anything not asked for is
    ///   ignored. `nil` means the person refused.
    public func answerConsent(_ pending: Pending, session: Session, scopes: Set<String>?) async throws -> String {
        guard let scopes else {
            return try await finish(pending, error: "access_denied", "The person did not agree to share their data.")
        }
        let kept = Set(pending.request.scopes).intersection(scopes.union(["openid"]))
        let person = session.personalNumber
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        let clientID = pending.party.clientID
        let records = consentRecords
        let seal = try await records.seal.signer()
        try await database.transaction { sql in
            try await sql.raw(
                "DELETE FROM identity_oidc_consents WHERE personal_number = \(bind: person.rawValue) AND client_id = \(bind: clientID)"
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_oidc_consents (personal_number, client_id, scopes, granted_at)
                VALUES (\(bind: person.rawValue), \(bind: clientID),
                    \(bind: kept.subtracting(["openid"]).sorted().joined(separator: " ")), \(bind: now))
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: AuditActor(kind: .person, id: person.rawValue), action: "identity.consent.grant",
                    object: AuditObject(type: "oidc-client", id: clientID),
                    subject: DataSubject(kind: "person", identifier: person.rawValue),
                    purpose: "share \(kept.sorted().joined(separator: " ")) with \(pending.party.name)"), in: sql)
            try await records.recordOpenIDConsent(of: person, to: pending.party, scopes: kept, signer: seal, in: sql)
        }
        return try await issueCode(pending, session: session, scopes: pending.request.scopes.filter(kept.contains))
    }

    /// The scopes the person has agreed to share with the client.
    public func consentedScopes(of person: PersonalNumber, to clientID: String) async throws -> Set<String> {
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT scopes FROM identity_oidc_consents
                WHERE personal_number = \(bind: person.rawValue) AND client_id = \(bind: clientID)
                """
            ).first()
        }
        guard let row else { return [] }
        return Set(try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init))
    }

    /// Ends `pending` with an error for the relying party; returns the redirect.
    func finish(_ pending: Pending, error: String, _ description: String) async throws -> String {
        try await forget(pending)
        return redirect(pending.request, ["error": error, "error_description": description])
    }

    /// The redirect URI with `parameters`, the state and the issuer (RFC 9207) added to its query.
    func redirect(_ request: AuthorizationRequest, _ parameters: [String: String]) -> String {
        var components = URLComponents(string: request.redirectURI)!
        var items = components.queryItems ?? []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            items.append(URLQueryItem(name: name, value: value))
        }
        if let state = request.state { items.append(URLQueryItem(name: "state", value: state)) }
        items.append(URLQueryItem(name: "iss", value: issuer))
        components.queryItems = items
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string!
    }

    private func forget(_ pending: Pending) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM identity_oidc_requests WHERE id = \(bind: pending.id)").run()
        }
    }

    /// Issues a single-use code for the session's person and sends the browser back with it.
    private func issueCode(_ pending: Pending, session: Session, scopes: [String]) async throws -> String {
        let code = SessionStore.randomToken()
        let request = pending.request
        let now = clock.now()
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM identity_oidc_requests WHERE id = \(bind: pending.id)").run()
            try await sql.raw(
                """
                INSERT INTO identity_oidc_codes (code_hash, client_id, redirect_uri, personal_number, scopes, nonce,
                    code_challenge, claims, methods, auth_time, expires_at)
                VALUES (\(bind: SessionStore.hash(code)), \(bind: request.clientID), \(bind: request.redirectURI),
                    \(bind: session.personalNumber.rawValue), \(bind: scopes.joined(separator: " ")),
                    \(bind: request.nonce), \(bind: request.codeChallenge), \(bind: request.claims),
                    \(bind: SessionStore.encode(session.methods)),
                    \(bind: Timestamp(session.authenticatedAt).microseconds),
                    \(bind: Timestamp(now.addingTimeInterval(Self.codeLifetime)).microseconds))
                """
            ).run()
            try await carryActing(
                from: "request:\(pending.id)", to: "code:\(SessionStore.hash(code))", lifetime: Self.codeLifetime,
                in: sql)
        }
        return redirect(request, ["code": code])
    }

    /// The stable, opaque `sub` of a person: random, made on first use, the same for every relying party.
    public func subject(for person: PersonalNumber) async throws -> String {
        if let existing = try await database.read({ sql in
            try await sql.raw(
                "SELECT subject FROM identity_oidc_subjects WHERE personal_number = \(bind: person.rawValue)"
            ).first()
        }) {
            return try existing.decode(column: "subject", as: String.self)
        }
        let subject = SessionStore.randomToken(bytes: 18)
        return try await database.transaction { sql in
            if let raced = try await sql.raw(
                "SELECT subject FROM identity_oidc_subjects WHERE personal_number = \(bind: person.rawValue)"
            ).first() {
                return try raced.decode(column: "subject", as: String.self)
            }
            try await sql.raw(
                """
                INSERT INTO identity_oidc_subjects (personal_number, subject)
                VALUES (\(bind: person.rawValue), \(bind: subject))
                """
            ).run()
            return subject
        }
    }

    /// The person a `sub` names.
    func person(ofSubject subject: String) async throws -> PersonalNumber? {
        let row = try await database.read { sql in
            try await sql.raw("SELECT personal_number FROM identity_oidc_subjects WHERE subject = \(bind: subject)")
                .first()
        }
        return try row.map { try PersonalNumber(try $0.decode(column: "personal_number", as: String.self)) }
    }

    /// The client an ID token we issued was for (expired or not), or `nil` when it is not ours.
    public func audience(ofIDToken token: String) async throws -> String? {
        guard let jws = try? JSONWebSignature(compact: token), let claims = try? jws.claims(),
            claims["iss"] as? String == issuer, try await verifiesWithPublishedKey(jws)
        else { return nil }
        return claims["aud"] as? String
    }

    /// The `sub` of an ID token we issued (expired or not), or `nil` when it is not ours.
    func hintedSubject(_ token: String) async throws -> String? {
        guard let jws = try? JSONWebSignature(compact: token), let claims = try? jws.claims(),
            claims["iss"] as? String == issuer, try await verifiesWithPublishedKey(jws)
        else { return nil }
        return claims["sub"] as? String
    }

    func verifiesWithPublishedKey(_ jws: JSONWebSignature) async throws -> Bool {
        guard let kid = jws.keyID, let key = try await keys.published().first(where: { $0.kid == kid }) else {
            return false
        }
        return key.verifies(jws.signature, over: jws.signingInput, algorithm: jws.algorithm)
    }
}

extension Optional where Wrapped: Sendable {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
