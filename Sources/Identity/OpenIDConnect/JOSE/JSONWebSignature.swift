import CivitasCore
import Crypto
import Foundation
public import X509

/// JWS compact serialisation (RFC 7515 §7.1): what ID tokens, access tokens and client assertions are.
public struct JSONWebSignature: Sendable {
    /// The header's `typ`, if any.
    public let type: String?
    /// The payload bytes.
    public let payload: [UInt8]
    /// The algorithm the header names.
    public let algorithm: JSONWebAlgorithm
    /// The key id the header names.
    public let keyID: String?
    /// `header.payload`, the bytes the signature is over.
    public let signingInput: [UInt8]
    /// The signature (raw r||s for ECDSA).
    public let signature: [UInt8]

    /// The largest compact JWS read (client assertions and ID token hints are a few KiB).
    public static let maximumLength = 16 * 1024

    /// Parses a compact JWS; refuses `alg: none` and any algorithm not in ``JSONWebAlgorithm``.
    public init(compact: String) throws {
        guard compact.utf8.count <= Self.maximumLength else { throw Self.malformed("is too long") }
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw Self.malformed("is not three base64url parts") }
        guard let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw Self.malformed("has a header that is not a JSON object")
        }
        guard let name = header["alg"] as? String, let algorithm = JSONWebAlgorithm(rawValue: name) else {
            throw Self.malformed("uses an algorithm that is not accepted")
        }
        if header["crit"] != nil { throw Self.malformed("has critical header parameters, which are not supported") }
        self.type = header["typ"] as? String
        self.payload = payload
        self.algorithm = algorithm
        self.keyID = header["kid"] as? String
        self.signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }

    /// The payload as a JSON object.
    public func claims() throws -> [String: Any] {
        guard let claims = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
            throw Self.malformed("has a payload that is not a JSON object")
        }
        return claims
    }

    /// Signs `claims` (a JSON object, serialised with sorted keys) with `key`; `type` goes in `typ`.
    public static func sign(
        claims: [String: Any], key: Certificate.PrivateKey, keyID: String, algorithm: JSONWebAlgorithm,
        type: String = "JWT"
    ) async throws -> String {
        let header: [String: Any] = ["alg": algorithm.rawValue, "kid": keyID, "typ": type]
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        func json(_ object: [String: Any]) throws -> [UInt8] {
            try JSONClaimsWriter.encode(object)
                ?? Array(try JSONSerialization.data(withJSONObject: object, options: options))
        }
        let encodedHeader = Base64URL.encode(try json(header))
        let encodedPayload = Base64URL.encode(try json(claims))
        let input = Array("\(encodedHeader).\(encodedPayload)".utf8)
        let certificateAlgorithm: Certificate.SignatureAlgorithm =
            switch algorithm {
            case .es256: .ecdsaWithSHA256
            case .es384: .ecdsaWithSHA384
            case .edDSA: .ed25519
            case .rs256: .sha256WithRSAEncryption
            }
        let signature = try await key.signAsynchronously(bytes: input, signatureAlgorithm: certificateAlgorithm)
        let raw: [UInt8]
        switch algorithm {
        case .es256:
            raw = Array(
                try P256.Signing.ECDSASignature(derRepresentation: signature.rawRepresentation).rawRepresentation)
        case .es384:
            raw = Array(
                try P384.Signing.ECDSASignature(derRepresentation: signature.rawRepresentation).rawRepresentation)
        case .edDSA, .rs256: raw = signature.rawRepresentation
        }
        return "\(encodedHeader).\(encodedPayload).\(Base64URL.encode(raw))"
    }

    static func malformed(_ what: String) -> IdentityError {
        IdentityError(.invalidRecord, "the JWS \(what)")
    }
}
