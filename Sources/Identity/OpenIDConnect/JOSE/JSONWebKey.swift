import CivitasCore
import Crypto
import Foundation
public import X509
import _CryptoExtras

/// A public JSON Web Key (RFC 7517): EC P-256/P-384, Ed25519 (RFC 8037) or RSA.
///
/// Only public members are ever read or written; a JWK with private members (`d`, `p`, …) is refused, so a
/// relying party that pastes its private key by mistake learns it at once.
public struct JSONWebKey: Sendable, Hashable, Codable {
    /// Key type: EC, OKP or RSA.
    public var kty: String
    /// Curve, for EC and OKP keys.
    public var crv: String?
    /// EC x coordinate, or the Ed25519 public key.
    public var x: String?
    /// EC y coordinate.
    public var y: String?
    /// RSA modulus.
    public var n: String?
    /// RSA exponent.
    public var e: String?
    /// Key id.
    public var kid: String?
    /// The algorithm the key is for.
    public var alg: String?
    /// `sig`.
    public var use: String?

    enum CodingKeys: String, CodingKey {
        case kty, crv, x, y, n, e, kid, alg, use
        case d, p, q, dp, dq, qi, k
    }

    /// The JWK of a public key.
    public init(publicKey: Certificate.PublicKey, kid: String, algorithm: JSONWebAlgorithm) throws {
        self.kid = kid
        self.alg = algorithm.rawValue
        self.use = "sig"
        if let key = P256.Signing.PublicKey(publicKey) {
            let raw = Array(key.rawRepresentation)
            (kty, crv, x, y) = ("EC", "P-256", Base64URL.encode(raw[0..<32]), Base64URL.encode(raw[32...]))
        } else if let key = P384.Signing.PublicKey(publicKey) {
            let raw = Array(key.rawRepresentation)
            (kty, crv, x, y) = ("EC", "P-384", Base64URL.encode(raw[0..<48]), Base64URL.encode(raw[48...]))
        } else if let key = Curve25519.Signing.PublicKey(publicKey) {
            (kty, crv, x) = ("OKP", "Ed25519", Base64URL.encode(key.rawRepresentation))
        } else {
            throw IdentityError(.invalidRecord, "no JWK form for this key")
        }
    }

    /// Decodes a JWK; private members are refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for member in [CodingKeys.d, .p, .q, .dp, .dq, .qi, .k] where container.contains(member) {
            throw DecodingError.dataCorruptedError(
                forKey: member, in: container, debugDescription: "a public JWK must not hold private key members")
        }
        kty = try container.decode(String.self, forKey: .kty)
        crv = try container.decodeIfPresent(String.self, forKey: .crv)
        x = try container.decodeIfPresent(String.self, forKey: .x)
        y = try container.decodeIfPresent(String.self, forKey: .y)
        n = try container.decodeIfPresent(String.self, forKey: .n)
        e = try container.decodeIfPresent(String.self, forKey: .e)
        kid = try container.decodeIfPresent(String.self, forKey: .kid)
        alg = try container.decodeIfPresent(String.self, forKey: .alg)
        use = try container.decodeIfPresent(String.self, forKey: .use)
    }

    /// Encodes the public members only.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kty, forKey: .kty)
        try container.encodeIfPresent(crv, forKey: .crv)
        try container.encodeIfPresent(x, forKey: .x)
        try container.encodeIfPresent(y, forKey: .y)
        try container.encodeIfPresent(n, forKey: .n)
        try container.encodeIfPresent(e, forKey: .e)
        try container.encodeIfPresent(kid, forKey: .kid)
        try container.encodeIfPresent(alg, forKey: .alg)
        try container.encodeIfPresent(use, forKey: .use)
    }

    /// Whether `signature` over `signingInput` verifies with this key under `algorithm`; a key of another type
    /// than the algorithm needs never verifies.
    public func verifies(_ signature: [UInt8], over signingInput: [UInt8], algorithm: JSONWebAlgorithm) -> Bool {
        switch (algorithm, kty, crv) {
        case (.es256, "EC", "P-256"):
            guard let key = try? P256.Signing.PublicKey(rawRepresentation: coordinates(32)),
                let value = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(value, for: SHA256.hash(data: signingInput))
        case (.es384, "EC", "P-384"):
            guard let key = try? P384.Signing.PublicKey(rawRepresentation: coordinates(48)),
                let value = try? P384.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(value, for: SHA384.hash(data: signingInput))
        case (.edDSA, "OKP", "Ed25519"):
            guard let x = x.flatMap(Base64URL.decode), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x)
            else { return false }
            return key.isValidSignature(signature, for: signingInput)
        case (.rs256, "RSA", _):
            guard let n = n.flatMap(Base64URL.decode), let e = e.flatMap(Base64URL.decode),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e), key.keySizeInBits >= 2048
            else { return false }
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signingInput),
                padding: .insecurePKCS1v1_5)
        default:
            return false
        }
    }

    private func coordinates(_ size: Int) -> [UInt8] {
        guard let x = x.flatMap(Base64URL.decode), let y = y.flatMap(Base64URL.decode), x.count == size,
            y.count == size
        else { return [] }
        return x + y
    }
}
