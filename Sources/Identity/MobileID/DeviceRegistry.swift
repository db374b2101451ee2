public import Audit
public import CivitasCore
public import Crypto
import Foundation
import SQLKit
public import Storage

/// The registered mobile ID devices, in `identity_device_keys`.
///
/// Registering and revoking are audited with the person as data subject, in the same transaction. Revocation
/// is for good; a revoked device's key cannot be registered again (register a new key instead).
public struct DeviceRegistry: Sendable {
    let database: Database
    let audit: AuditLog
    let clock: any WallClock

    /// Creates the registry.
    public init(database: Database, audit: AuditLog, clock: any WallClock = SystemClock()) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Registers `publicKey` as a device of `personalNumber`, called `name`.
    ///
    /// The caller has authenticated the person at level high (an eID card login): this API does not check that.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for a name that is empty, longer than 64 characters or has
    ///   control characters; `personNotEligible` for a person not registered or deceased; `alreadyRegistered`
    ///   for a key registered before (to anyone).
    @discardableResult
    public func register(
        personalNumber: PersonalNumber, publicKey: P256.Signing.PublicKey, name: String, requestID: String? = nil
    ) async throws -> MobileDevice {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count),
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw IdentityError(.invalidRecord, "a device name has 1 to 64 characters and no control characters")
        }
        let device = MobileDevice(
            id: DeviceLogins.randomHex(16), personalNumber: personalNumber, name: name, publicKey: publicKey,
            fingerprint: MobileDevice.fingerprint(of: publicKey), registeredAt: Timestamp(clock.now()).date,
            revokedAt: nil)
        let audit = self.audit
        try await database.transaction { sql in
            let person = try await sql.raw(
                "SELECT died_on FROM identity_persons WHERE personal_number = \(bind: personalNumber.rawValue)"
            ).first()
            guard let person, try person.decode(column: "died_on", as: String?.self) == nil else {
                throw IdentityError(.personNotEligible, "\(personalNumber) is not a registered, living person")
            }
            guard
                try await sql.raw(
                    "SELECT 1 AS n FROM identity_device_keys WHERE fingerprint = \(bind: device.fingerprint)"
                ).first() == nil
            else { throw IdentityError(.alreadyRegistered, "this device key is registered already") }
            try await sql.raw(
                """
                INSERT INTO identity_device_keys (id, personal_number, name, public_key, fingerprint, registered_at)
                VALUES (\(bind: device.id), \(bind: personalNumber.rawValue), \(bind: name),
                    \(bind: publicKey.derRepresentation), \(bind: device.fingerprint),
                    \(bind: Timestamp(device.registeredAt).microseconds))
                """
            ).run()
            _ = try await audit.append(
                Self.event(
                    personalNumber, "identity.device.register", device.id, "register a mobile ID device", requestID),
                in: sql)
        }
        return device
    }

    /// The device with `id`, revoked or not, or nil.
    public func device(id: String) async throws -> MobileDevice? {
        guard DeviceLogins.isWellFormedID(id) else { return nil }
        return try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_device_keys WHERE id = \(bind: id)").first().map(
                Self.device(from:))
        }
    }

    /// The person's devices, revoked ones included, oldest first.
    public func devices(of personalNumber: PersonalNumber) async throws -> [MobileDevice] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM identity_device_keys WHERE personal_number = \(bind: personalNumber.rawValue)
                ORDER BY registered_at, id
                """
            ).all().map(Self.device(from:))
        }
    }

    /// Revokes the device `id` of `personalNumber`.
    ///
    /// - Throws: ``IdentityError`` `notFound` when the person has no such device (another person's device is
    ///   not found either), `invalidTransition` when it is revoked already.
    @discardableResult
    public func revoke(
        id: String, of personalNumber: PersonalNumber, requestID: String? = nil
    ) async throws
        -> MobileDevice
    {
        let now = Timestamp(clock.now())
        let audit = self.audit
        try await database.transaction { sql in
            let row = try await sql.raw(
                """
                SELECT revoked_at FROM identity_device_keys
                WHERE id = \(bind: id) AND personal_number = \(bind: personalNumber.rawValue)
                """
            ).first()
            guard let row else { throw IdentityError(.notFound, "no such device") }
            guard try row.decode(column: "revoked_at", as: Int64?.self) == nil else {
                throw IdentityError(.invalidTransition, "the device is revoked already")
            }
            try await sql.raw(
                "UPDATE identity_device_keys SET revoked_at = \(bind: now.microseconds) WHERE id = \(bind: id)"
            ).run()
            _ = try await audit.append(
                Self.event(personalNumber, "identity.device.revoke", id, "revoke a mobile ID device", requestID),
                in: sql)
        }
        guard let device = try await device(id: id) else { throw IdentityError(.notFound, "no such device") }
        return device
    }

    static func event(
        _ person: PersonalNumber, _ action: String, _ id: String, _ purpose: String, _ requestID: String?
    ) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(kind: .person, id: person.rawValue), action: action,
            object: AuditObject(type: "mobile-device", id: id),
            subject: DataSubject(kind: "person", identifier: person.rawValue), purpose: purpose,
            requestID: requestID)
    }

    static func device(from row: any SQLRow) throws -> MobileDevice {
        MobileDevice(
            id: try row.decode(column: "id", as: String.self),
            personalNumber: try PersonalNumber(try row.decode(column: "personal_number", as: String.self)),
            name: try row.decode(column: "name", as: String.self),
            publicKey: try P256.Signing.PublicKey(
                derRepresentation: try row.decode(column: "public_key", as: Data.self)),
            fingerprint: try row.decode(column: "fingerprint", as: String.self),
            registeredAt: Timestamp(microseconds: try row.decode(column: "registered_at", as: Int64.self)).date,
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map { Timestamp(microseconds: $0).date })
    }
}
