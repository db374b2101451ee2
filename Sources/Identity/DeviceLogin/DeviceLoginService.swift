public import Audit
public import CivitasCore
public import Foundation
public import Storage
public import Trust
import X509

/// Checks answers to device logins and records the ones that pass.
///
/// A refused answer changes nothing: every check runs before ``DeviceLogins`` records the answer, and the
/// recording itself re-checks, in its transaction, that the login is still pending.
public struct DeviceLoginService: Sendable {
    /// The pending logins.
    public let logins: DeviceLogins
    /// The mobile ID devices.
    public let devices: DeviceRegistry
    let register: PopulationRegister
    let certificateCheck: @Sendable () async throws -> CitizenCertificateCheck
    let clock: any WallClock
    /// How far a signer's clock may be off ours.
    public let clockSkew: TimeInterval = 30

    /// Creates the service.
    ///
    /// - Parameter certificateCheck: the eID certificate check to use for a card answer; asked on every card
    ///   answer, so that it can follow the PKI (for example ``CitizenCertificateCheck/national(_:semantics:)``).
    public init(
        logins: DeviceLogins, devices: DeviceRegistry, register: PopulationRegister,
        certificateCheck: @escaping @Sendable () async throws -> CitizenCertificateCheck,
        clock: any WallClock = SystemClock()
    ) {
        self.logins = logins
        self.devices = devices
        self.register = register
        self.certificateCheck = certificateCheck
        self.clock = clock
    }

    /// The service over one database and the national PKI, with the node's personal-number semantics.
    public init(
        database: Database, audit: AuditLog, pki: NationalPKI, semantics: PersonalNumberSemantics = .demoCountry,
        clock: any WallClock = SystemClock()
    ) {
        self.init(
            logins: DeviceLogins(database: database, audit: audit, clock: clock),
            devices: DeviceRegistry(database: database, audit: audit, clock: clock),
            register: PopulationRegister(database: database, audit: audit),
            certificateCheck: { try await CitizenCertificateCheck.national(pki, semantics: semantics) }, clock: clock)
    }

    /// Checks `answer` to the login with `code` and, if it passes, records it.
    ///
    /// - Throws: ``IdentityError``: `loginNotFound`, `loginExpired`, `loginAlreadyUsed`, `malformedAnswer` (an
    ///   answer of the other method), `signingTimeOutOfRange`, `badSignature`, the certificate check's codes
    ///   (see ``CitizenCertificateCheck``), `deviceNotUsable`, `personNotEligible`.
    @discardableResult
    public func answer(
        code: DeviceLoginCode, with answer: DeviceLoginAnswer, requestID: String? = nil
    )
        async throws -> DeviceLogin
    {
        let now = clock.now()
        let login = try await logins.login(code: code)
        switch login.state {
        case .pending: break
        case .expired: throw DeviceLogins.expired(login)
        case .answered, .consumed:
            throw IdentityError(.loginAlreadyUsed, "the login \(login.code) was answered already")
        }
        let signedAt = Date(timeIntervalSince1970: TimeInterval(answer.signedAt))
        guard signedAt >= login.createdAt.addingTimeInterval(-clockSkew),
            signedAt <= min(now, login.expiresAt).addingTimeInterval(clockSkew)
        else {
            throw IdentityError(
                .signingTimeOutOfRange, "the signing time \(answer.signedAt) is outside the login's lifetime")
        }
        let toBeSigned = try DeviceLoginToBeSigned(login: login, signedAt: answer.signedAt).derEncoded()
        let person: PersonalNumber
        let credential: String
        switch (login.method, answer.credential) {
        case (.card, .certificate(let certificate)):
            try Self.verify(answer.signature, over: toBeSigned, with: certificate.publicKey)
            person = try await certificateCheck().personalNumber(of: certificate, at: now)
            credential =
                "certificate:\(PKIRole.citizensCA.rawValue)/\(Hex.encode(certificate.serialNumber.bytes))"
        case (.mobile, .device(let id)):
            guard let device = try await devices.device(id: id), device.isUsable else {
                throw IdentityError(.deviceNotUsable, "the mobile ID device is not registered or is revoked")
            }
            try Self.verify(answer.signature, over: toBeSigned, with: Certificate.PublicKey(device.publicKey))
            person = device.personalNumber
            credential = "device:\(device.id)"
        case (.card, .device):
            throw IdentityError(.malformedAnswer, "an eID card login is answered with a certificate, not a device")
        case (.mobile, .certificate):
            throw IdentityError(.malformedAnswer, "a mobile ID login is answered by a registered device")
        }
        guard let record = try await register.person(person), record.status == .alive else {
            throw IdentityError(.personNotEligible, "the personal number is not a registered, living person")
        }
        return try await logins.recordAnswer(
            login, personalNumber: person, credential: credential, signedAt: signedAt, requestID: requestID)
    }

    static func verify(_ signature: [UInt8], over bytes: [UInt8], with key: Certificate.PublicKey) throws {
        guard let algorithm = DeviceLoginAnswer.signatureAlgorithm(for: key) else {
            throw IdentityError(.badSignature, "the key is neither ECDSA P-256, P-384 nor RSA")
        }
        guard key.isValidSignature(signature, for: bytes, signatureAlgorithm: algorithm) else {
            throw IdentityError(.badSignature, "the signature does not verify over the login's to-be-signed bytes")
        }
    }
}
