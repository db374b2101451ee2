public import Audit
public import CivitasCore
import Foundation
import SQLKit
public import Storage
import Trust

/// Electronic powers of attorney: drafted, signed with a qualified signature, accepted, revoked or renounced.
///
/// A power's document never changes once drafted; its history is an append-only list of events, and its state is
/// derived from them and the calendar. Every change is one transaction with two audit entries, one with each
/// party (principal and attorney) as data subject, under the person who acted (and, for an entity, on its
/// behalf). Who may do what is decided by ``RepresentationPolicy``.
public struct PowersOfAttorney: Sendable {
    let database: Database
    let audit: AuditLog
    private let population: PopulationRegister
    /// The legal entities and their representatives.
    public let entities: LegalEntityRegistry
    private let signatures: QualifiedSignatureCheck
    let clock: any WallClock
    private let publicURL: String

    /// The longest power, in days (about five years).
    public static let maximumDays = 5 * 366

    /// Creates the store; `publicURL` is the node's public address, written into each document.
    public init(
        database: Database, audit: AuditLog, population: PopulationRegister, entities: LegalEntityRegistry,
        signatures: QualifiedSignatureCheck, publicURL: String, clock: any WallClock = SystemClock()
    ) {
        self.database = database
        self.audit = audit
        self.population = population
        self.entities = entities
        self.signatures = signatures
        self.clock = clock
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// What a draft asks for.
    public struct Draft: Sendable, Hashable {
        /// For whom: the drafter themself, or an entity they represent.
        public var principal: Principal
        /// Who is empowered.
        public var attorney: PersonalNumber
        /// Which services.
        public var services: ServiceScope
        /// The first day.
        public var validFrom: CalendarDate
        /// The last day.
        public var validUntil: CalendarDate

        /// Creates a draft request.
        public init(
            principal: Principal, attorney: PersonalNumber, services: ServiceScope, validFrom: CalendarDate,
            validUntil: CalendarDate
        ) {
            self.principal = principal
            self.attorney = attorney
            self.services = services
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }

    /// Today in UTC.
    public var today: CalendarDate {
        CalendarDate(daysSince1970: Int((clock.now().timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// The policy for `actor` today.
    public func policy(for actor: PersonalNumber) async throws -> RepresentationPolicy {
        let today = self.today
        let rights = try await entities.representations(of: actor, on: today).map(\.representative)
        return RepresentationPolicy(actor: actor, representations: rights, today: today)
    }

    /// Drafts a power of attorney by `actor`; returns it with its document to sign.
    ///
    /// - Throws: ``IdentityError`` `notPermitted` (see ``RepresentationPolicy/draftingRole(for:)``),
    ///   `invalidRecord` for dates out of order, in the past or too far apart, an attorney who is the principal,
    ///   or who is not a registered, living person.
    public func draft(
        _ draft: Draft, by actor: PersonalNumber, requestID: String? = nil
    ) async throws -> PowerOfAttorney {
        let policy = try await self.policy(for: actor)
        let role = try policy.draftingRole(for: draft.principal)
        guard draft.validFrom <= draft.validUntil else {
            throw IdentityError(.invalidRecord, "the power must begin on or before its last day")
        }
        guard policy.today <= draft.validUntil else {
            throw IdentityError(.invalidRecord, "the power's last day has passed already")
        }
        guard draft.validUntil.daysSince1970 - max(draft.validFrom, policy.today).daysSince1970 < Self.maximumDays,
            draft.validFrom.daysSince1970 - policy.today.daysSince1970 < 366
        else { throw IdentityError(.invalidRecord, "a power lasts at most five years and begins within a year") }
        guard draft.attorney != actor, draft.principal != .person(draft.attorney) else {
            throw IdentityError(.invalidRecord, "nobody can be their own attorney")
        }
        guard let attorney = try await population.person(draft.attorney), attorney.status == .alive else {
            throw IdentityError(.invalidRecord, "the attorney must be a registered, living person")
        }
        guard let signatory = try await population.person(actor) else {
            throw IdentityError(.notPermitted, "you are not in the population register")
        }
        let principalName: String
        switch draft.principal {
        case .person: principalName = Self.latinName(signatory)
        case .organisation(let code):
            guard let entity = try await entities.entity(code), entity.status == .active else {
                throw IdentityError(.notPermitted, "the legal entity \(code) is not active")
            }
            principalName = "\(entity.nameLatin) \(entity.legalForm)"
        }
        let id = SessionStore.randomToken(bytes: 16)
        let now = clock.now()
        let document = PowerOfAttorneyDocument(
            id: id, principal: draft.principal, principalName: principalName, signatory: actor,
            signatoryName: Self.latinName(signatory), signatoryRole: role, attorney: draft.attorney,
            attorneyName: Self.latinName(attorney), services: draft.services, validFrom: draft.validFrom,
            validUntil: draft.validUntil, draftedAt: now, verificationURL: "\(publicURL)/powers-of-attorney/\(id)")
        let bytes = document.encoded
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_powers (id, principal, signatory, attorney, document, created_at)
                VALUES (\(bind: id), \(bind: draft.principal.description), \(bind: actor.rawValue),
                    \(bind: draft.attorney.rawValue), \(bind: Data(bytes)), \(bind: Timestamp(now).microseconds))
                """
            ).run()
            try await Self.append(.drafted, to: id, sequence: 1, actor: actor, at: now, in: sql)
            try await audit.append(
                contentsOf: Self.events(
                    "identity.power.draft", document: document, actor: actor, requestID: requestID,
                    purpose: "draft a power of attorney for \(draft.services.codes.joined(separator: " "))"), in: sql)
        }
        return try await power(id)!
    }

    /// Attaches the signatory's qualified signature to a draft.
    ///
    /// - Throws: ``IdentityError`` `notFound`, `notPermitted`, `invalidTransition`, or `signatureRejected` (see
    ///   ``QualifiedSignatureCheck``); nothing changes then.
    public func sign(
        _ id: String, signature: [UInt8], by actor: PersonalNumber, requestID: String? = nil
    ) async throws -> PowerOfAttorney {
        let power = try await existing(id)
        try await policy(for: actor).checkSign(power)
        let report = try await signatures.check(
            signature, document: power.document.encoded, signatory: power.signatory)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let validation = String(decoding: try encoder.encode(report), as: UTF8.self)
        try await change(
            power, to: .signed, by: actor, action: "identity.power.sign", purpose: "sign a power of attorney",
            requestID: requestID, signature: signature, validation: validation)
        return try await self.power(id)!
    }

    /// The attorney accepts.
    public func accept(
        _ id: String, by actor: PersonalNumber, requestID: String? = nil
    ) async throws
        -> PowerOfAttorney
    {
        let power = try await existing(id)
        try await policy(for: actor).checkAccept(power)
        try await change(
            power, to: .accepted, by: actor, action: "identity.power.accept", purpose: "accept a power of attorney",
            requestID: requestID)
        return try await self.power(id)!
    }

    /// The principal withdraws the power.
    public func revoke(
        _ id: String, by actor: PersonalNumber, requestID: String? = nil
    ) async throws
        -> PowerOfAttorney
    {
        let power = try await existing(id)
        try await policy(for: actor).checkRevoke(power)
        try await change(
            power, to: .revoked, by: actor, action: "identity.power.revoke", purpose: "revoke a power of attorney",
            requestID: requestID)
        return try await self.power(id)!
    }

    /// The attorney gives the power up.
    public func renounce(
        _ id: String, by actor: PersonalNumber, requestID: String? = nil
    ) async throws
        -> PowerOfAttorney
    {
        let power = try await existing(id)
        try await policy(for: actor).checkRenounce(power)
        try await change(
            power, to: .renounced, by: actor, action: "identity.power.renounce",
            purpose: "renounce a power of attorney", requestID: requestID)
        return try await self.power(id)!
    }

    /// The power `id`, or `nil` (also for an id that is no id).
    public func power(_ id: String) async throws -> PowerOfAttorney? {
        guard SessionStore.isWellFormed(id, length: 22) else { return nil }
        return try await database.read { sql in
            guard let row = try await sql.raw("SELECT * FROM identity_powers WHERE id = \(bind: id)").first() else {
                return nil
            }
            return try await Self.power(from: row, in: sql)
        }
    }

    /// Powers `person` gave: as principal, or as the signatory for an entity. Newest first.
    public func given(by person: PersonalNumber) async throws -> [PowerOfAttorney] {
        try await list(
            "principal = \(bind: Principal.person(person).description) OR signatory = \(bind: person.rawValue)")
    }

    /// Powers `person` holds as attorney, newest first.
    public func held(by person: PersonalNumber) async throws -> [PowerOfAttorney] {
        try await list("attorney = \(bind: person.rawValue)")
    }

    /// Whom `person` can act for today in service `service` (every service when `nil`): the entities they solely
    /// represent, and the principals of the powers they hold in force; each with the power, when by one.
    public func principals(
        of person: PersonalNumber, service: String? = nil
    ) async throws -> [(principal: Principal, name: String, power: String?)] {
        let today = self.today
        var found: [(principal: Principal, name: String, power: String?)] = []
        for (entity, representative) in try await entities.representations(of: person, on: today)
        where representative.right == .sole
            && !found.contains(where: { $0.principal == .organisation(entity.registryCode) })
        {
            found.append((.organisation(entity.registryCode), "\(entity.nameLatin) \(entity.legalForm)", nil))
        }
        for power in try await held(by: person)
        where power.isInForce(on: today) && (service.map(power.document.services.covers) ?? true)
            && !found.contains(where: { $0.principal == power.principal })
        {
            found.append((power.principal, power.document.principalName, power.id))
        }
        return found
    }

    /// The names of principals as a person reads them: Latin script.
    static func latinName(_ person: Person) -> String { "\(person.name.givenLatin) \(person.name.familyLatin)" }

    private func existing(_ id: String) async throws -> PowerOfAttorney {
        guard let power = try await power(id) else {
            throw IdentityError(.notFound, "no power of attorney has this identifier")
        }
        return power
    }

    private func list(_ condition: SQLQueryString) async throws -> [PowerOfAttorney] {
        try await database.read { sql in
            var powers: [PowerOfAttorney] = []
            let rows = try await sql.raw(
                "SELECT * FROM identity_powers WHERE " + condition + " ORDER BY created_at DESC LIMIT 200"
            ).all()
            for row in rows { powers.append(try await Self.power(from: row, in: sql)) }
            return powers
        }
    }

    private func change(
        _ power: PowerOfAttorney, to kind: PowerOfAttorneyEvent.Kind, by actor: PersonalNumber, action: String,
        purpose: String, requestID: String?, signature: [UInt8]? = nil, validation: String? = nil
    ) async throws {
        let now = clock.now()
        let audit = self.audit
        let sequence = (power.events.last?.sequence ?? 0) + 1
        try await database.transaction { sql in
            // The primary key (power, sequence) makes a second, concurrent change of the same state fail here.
            try await Self.append(
                kind, to: power.id, sequence: sequence, actor: actor, at: now, signature: signature,
                validation: validation, in: sql)
            try await audit.append(
                contentsOf: Self.events(
                    action, document: power.document, actor: actor, requestID: requestID, purpose: purpose), in: sql)
        }
    }

    private static func append(
        _ kind: PowerOfAttorneyEvent.Kind, to id: String, sequence: Int, actor: PersonalNumber, at date: Date,
        signature: [UInt8]? = nil, validation: String? = nil, in sql: any SQLDatabase
    ) async throws {
        try await sql.raw(
            """
            INSERT INTO identity_power_events (power_id, seq, kind, actor, occurred_at, signature, validation)
            VALUES (\(bind: id), \(bind: sequence), \(bind: kind.rawValue), \(bind: actor.rawValue),
                \(bind: Timestamp(date).microseconds), \(bind: signature.map { Data($0) }), \(bind: validation))
            """
        ).run()
    }

    /// One audit entry per party, under the actor (on the entity's behalf when they act for one).
    static func events(
        _ action: String, document: PowerOfAttorneyDocument, actor: PersonalNumber, requestID: String?,
        purpose: String
    ) -> [AuditEvent] {
        let actsForPrincipal = actor != document.attorney && document.principal != .person(actor)
        let auditActor = AuditActor(
            kind: .person, id: actor.rawValue, onBehalfOf: actsForPrincipal ? document.principal.description : nil)
        let subjects = [
            DataSubject(kind: document.principal.kind, identifier: document.principal.identifier),
            DataSubject(kind: "person", identifier: document.attorney.rawValue),
        ]
        return subjects.map {
            AuditEvent(
                actor: auditActor, action: action, object: AuditObject(type: "power-of-attorney", id: document.id),
                subject: $0, purpose: purpose, requestID: requestID)
        }
    }

    static func power(from row: any SQLRow, in sql: any SQLDatabase) async throws -> PowerOfAttorney {
        let id = try row.decode(column: "id", as: String.self)
        let document = try PowerOfAttorneyDocument(decoding: Array(try row.decode(column: "document", as: Data.self)))
        let rows = try await sql.raw("SELECT * FROM identity_power_events WHERE power_id = \(bind: id) ORDER BY seq")
            .all()
        var events: [PowerOfAttorneyEvent] = []
        var signature: [UInt8]?
        var validation: SignatureValidationReport?
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for event in rows {
            guard let kind = PowerOfAttorneyEvent.Kind(rawValue: try event.decode(column: "kind", as: String.self))
            else { throw IdentityError(.invalidRecord, "a power of attorney's event has an unknown kind") }
            events.append(
                PowerOfAttorneyEvent(
                    sequence: try event.decode(column: "seq", as: Int.self), kind: kind,
                    actor: try PersonalNumber(try event.decode(column: "actor", as: String.self)),
                    at: Timestamp(microseconds: try event.decode(column: "occurred_at", as: Int64.self)).date))
            if let bytes = try event.decode(column: "signature", as: Data?.self) { signature = Array(bytes) }
            if let text = try event.decode(column: "validation", as: String?.self) {
                validation = try decoder.decode(SignatureValidationReport.self, from: Data(text.utf8))
            }
        }
        return PowerOfAttorney(
            id: id, document: document, signature: signature, validation: validation, events: events)
    }
}
