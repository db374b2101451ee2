import Foundation

// The JSON bodies of the GovStack eSignature API, field names as the spec spells them.

extension RemoteSigningRoutes {
    /// `POST cert/create`. `pseodonym` is the spec's spelling; `pseudonym` and `profile` are ours.
    struct CertificateCreationBody: Decodable {
        var csr: String?
        var scdType: String?
        var scdRemoteID: String?
        var scdKeyID: Double?
        var pseudonym: String?
        var pseodonym: String?
        var requestTimestamp: String?
        var profile: String?

        enum CodingKeys: String, CodingKey {
            case csr = "CSR"
            case scdType = "SCDType"
            case scdRemoteID = "SCDRemoteId"
            case scdKeyID = "SCDKeyId"
            case pseudonym, pseodonym, requestTimestamp, profile
        }
    }

    struct Status: Codable {
        var code: String?
        var message: String?
    }

    /// `PATCH cert/{certificateId}`; `reason` (an RFC 5280 reason name for REVOKE) is ours.
    struct StatusChangeBody: Decodable {
        var requestTimestamp: String?
        var status: Status?
        var reason: String?
    }

    /// `POST sign/…`; `pseudonym` is ours, for clients that send no pseudonym token.
    struct SignatureBody: Decodable {
        var format: String?
        var hash: String?
        var hashType: String?
        var dataToBeDisplayed: String?
        var requestTimestamp: String?
        var nonce: String?
        var state: String?
        var pseudonym: String?
    }

    struct CertificateCreationReply: Encodable {
        var certificateId: String
        var pseudonym: String
        var certificate: String
        var profile: String
        var keyLocation: String
        var responseTimestamp: String
        var status: Status
    }

    struct CertificateListItem: Encodable {
        var certificateId: String
        var pseudonym: String
        var certificate: String
        var status: Status

        init(_ certificate: RemoteCertificate, at date: Date) {
            self.certificateId = certificate.id
            self.pseudonym = certificate.pseudonym
            self.certificate = certificate.pem
            let status = certificate.status(at: date)
            let code =
                switch status {
                case .active: "ACTIVE"
                case .suspended: "SUSPENDED"
                case .revoked: "REVOKED"
                case .expired: "EXPIRED"
                }
            self.status = Status(code: code, message: "Certificate \(status.rawValue)")
        }
    }

    struct StatusChangeReply: Encodable {
        var responseTimestamp: String
        var status: Status
    }

    struct SignatureReply: Encodable {
        var signatureId: String
        var certificateId: String
        var signature: String
        var signatureTimestamp: String
        var certificate: String
        var responseTimestamp: String
        var status: Status

        init(_ signature: RemoteSignature) {
            self.signatureId = signature.id
            self.certificateId = signature.certificateID
            self.signature = Data(signature.signature).base64EncodedString()
            self.signatureTimestamp = Data(signature.timeStampToken).base64EncodedString()
            self.certificate = signature.certificatePEM
            self.responseTimestamp = RemoteSigningRoutes.format(signature.createdAt)
            self.status = Status(code: "OK", message: "Signature generated successfully")
        }
    }

    struct PseudonymSignatureReply: Encodable {
        var signatureId: String
        var nonce: String?
        var state: String?
    }

    struct AuditLogItem: Encodable {
        var signatureId: String
        var certificateId: String
        var signatureType: String
        var hashType: String
        var signature: String
        var signatureTimestamp: String
        var certificate: String
        var responseTimestamp: String
        var status: Status

        init(_ signature: RemoteSignature) {
            let reply = SignatureReply(signature)
            self.signatureId = reply.signatureId
            self.certificateId = reply.certificateId
            self.signatureType = "SCD"
            self.hashType = RemoteSigningService.name(of: signature.algorithm)
            self.signature = reply.signature
            self.signatureTimestamp = reply.signatureTimestamp
            self.certificate = reply.certificate
            self.responseTimestamp = reply.responseTimestamp
            self.status = reply.status
        }
    }
}
