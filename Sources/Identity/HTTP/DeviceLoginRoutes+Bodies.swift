import CivitasCore
import Foundation

extension DeviceLoginRoutes {
    /// `GET /identity/device-logins/{code}`: what the card reader app or phone shows and signs.
    struct LoginView: Encodable {
        let code: String
        let method: String
        let origin: String
        let challenge: String
        let state: String
        let createdAt: String
        let expiresAt: String
        let toBeSigned: ToBeSignedView

        struct ToBeSignedView: Encodable {
            let version: Int
            let purpose: String
        }

        init(_ login: DeviceLogin) {
            code = login.code.description
            method = login.method.rawValue
            origin = login.origin
            challenge = Data(login.challenge).base64EncodedString()
            state = login.state.rawValue
            createdAt = Timestamp(login.createdAt).description
            expiresAt = Timestamp(login.expiresAt).description
            toBeSigned = ToBeSignedView(version: DeviceLoginToBeSigned.version, purpose: DeviceLoginToBeSigned.purpose)
        }
    }

    /// `POST /identity/device-logins/{code}/answer`: exactly one of `certificate` (card) and `deviceId` (mobile).
    struct AnswerBody: Decodable {
        let signedAt: Int64
        let signature: String
        let certificate: String?
        let deviceId: String?
    }

    /// The answer's acknowledgement.
    struct AnswerReply: Encodable {
        let code: String
        let state: String
    }

    /// `POST /identity/devices`.
    struct RegistrationBody: Decodable {
        let name: String
        let publicKey: String
    }

    /// A device, as its owner sees it.
    struct DeviceView: Encodable {
        let id: String
        let name: String
        let fingerprint: String
        let registeredAt: String
        let revokedAt: String?
        let usable: Bool

        init(_ device: MobileDevice) {
            id = device.id
            name = device.name
            fingerprint = device.fingerprint
            registeredAt = Timestamp(device.registeredAt).description
            revokedAt = device.revokedAt.map { Timestamp($0).description }
            usable = device.isUsable
        }
    }

    /// `GET /identity/devices`.
    struct DeviceList: Encodable {
        let devices: [DeviceView]
    }
}
