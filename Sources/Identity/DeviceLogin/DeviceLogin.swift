public import CivitasCore
public import Foundation

/// A login that a card or a mobile ID device answers on behalf of a browser.
///
/// The browser starts it and shows its ``code``; the card reader app or the phone fetches the ``challenge`` by
/// the code, signs a ``DeviceLoginToBeSigned`` and posts the answer; the browser, which holds the binding secret
/// in a cookie, then finishes it. Everything lives in `identity_device_logins`, so any node can serve any step.
public struct DeviceLogin: Sendable, Hashable {
    /// The random id (32 lowercase hex digits), in the browser's status page address.
    public let id: String
    /// The short code the person types into the card reader app or phone.
    public let code: DeviceLoginCode
    /// Card or mobile ID.
    public let method: DeviceLoginMethod
    /// The relying origin (`scheme://host[:port]`) the person is logging in to, shown to them and signed.
    public let origin: String
    /// 32 random bytes.
    public let challenge: [UInt8]
    /// The state as of the time it was read (an open login past its expiry reads as expired).
    public let state: DeviceLoginState
    /// When it was started.
    public let createdAt: Date
    /// When it stops accepting answers and finishing.
    public let expiresAt: Date
    /// Who answered, once answered.
    public let personalNumber: PersonalNumber?
    /// What answered: `certificate:<issuer>/<serial>` or `device:<id>`, once answered.
    public let credential: String?

    /// Creates a login record.
    public init(
        id: String, code: DeviceLoginCode, method: DeviceLoginMethod, origin: String, challenge: [UInt8],
        state: DeviceLoginState, createdAt: Date, expiresAt: Date, personalNumber: PersonalNumber? = nil,
        credential: String? = nil
    ) {
        self.id = id
        self.code = code
        self.method = method
        self.origin = origin
        self.challenge = challenge
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.personalNumber = personalNumber
        self.credential = credential
    }
}
