public import Foundation
import SwiftASN1

/// What a card or a mobile ID device signs to answer a device login: the exact DER bytes of
///
/// ```
/// DeviceLoginToBeSigned ::= SEQUENCE {
///     version     INTEGER { v1(1) },
///     purpose     UTF8String,              -- "civitas-device-login"
///     method      UTF8String,              -- "card" or "mobile"
///     origin      UTF8String,              -- the relying origin, "https://id.example.gov"
///     code        UTF8String,              -- the login's code, "4821-7730"
///     challenge   OCTET STRING (SIZE (32)),
///     signedAt    GeneralizedTime }        -- UTC, whole seconds: "YYYYMMDDHHMMSSZ"
/// ```
///
/// DER has one encoding per value, so signer and server build the same bytes from the same values; the server
/// builds them from its own record of the login (only `signedAt` comes from the signer, and it must fall inside
/// the login's lifetime). The purpose string keeps these signatures from being mistaken for any other signature
/// the same key makes. See docs/decisions/0014-eid-card-and-mobile-id.md.
public struct DeviceLoginToBeSigned: Sendable, Hashable {
    /// The only version.
    public static let version = 1
    /// The domain-separation string.
    public static let purpose = "civitas-device-login"

    /// Card or mobile.
    public let method: DeviceLoginMethod
    /// The relying origin.
    public let origin: String
    /// The code, in its `DDDD-DDDD` form.
    public let code: DeviceLoginCode
    /// The login's 32-byte challenge.
    public let challenge: [UInt8]
    /// When the signer signed, in whole seconds since 1970 (UTC).
    public let signedAt: Int64

    /// Creates the structure for `login`, signed at `signedAt` (seconds since 1970).
    public init(login: DeviceLogin, signedAt: Int64) {
        self.init(
            method: login.method, origin: login.origin, code: login.code, challenge: login.challenge,
            signedAt: signedAt)
    }

    /// Creates the structure from its values.
    public init(
        method: DeviceLoginMethod, origin: String, code: DeviceLoginCode, challenge: [UInt8], signedAt: Int64
    ) {
        self.method = method
        self.origin = origin
        self.code = code
        self.challenge = challenge
        self.signedAt = signedAt
    }

    /// The signing time as a date.
    public var signingTime: Date { Date(timeIntervalSince1970: TimeInterval(signedAt)) }

    /// The DER encoding, which is what is signed.
    public func derEncoded() throws -> [UInt8] {
        let time = try Self.generalizedTime(seconds: signedAt)
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { sequence in
            try sequence.serialize(Self.version)
            try sequence.serialize(ASN1UTF8String(Self.purpose))
            try sequence.serialize(ASN1UTF8String(method.rawValue))
            try sequence.serialize(ASN1UTF8String(origin))
            try sequence.serialize(ASN1UTF8String(code.description))
            try sequence.serialize(ASN1OctetString(contentBytes: challenge[...]))
            try sequence.serialize(time)
        }
        return serializer.serializedBytes
    }

    /// The GeneralizedTime of a whole second in UTC (years 1970 to 9999).
    static func generalizedTime(seconds: Int64) throws -> GeneralizedTime {
        guard (0...253_402_300_799).contains(seconds) else {
            throw IdentityError(.malformedAnswer, "the signing time is outside the years 1970 to 9999")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return try GeneralizedTime(
            year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour!, minutes: parts.minute!,
            seconds: parts.second!, fractionalSeconds: 0)
    }
}
