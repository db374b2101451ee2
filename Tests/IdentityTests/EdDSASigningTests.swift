import Audit
import CivitasCore
import Crypto
import Foundation
import Identity
import Storage
import StorageTesting
import Testing
import Trust
import X509

/// Ed25519 in the key store and in JOSE: the RFC 8032 and RFC 8037 examples, and the provider's two signing keys.
@Suite("EdDSA signing keys")
struct EdDSASigningTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// RFC 8032 §7.1, TEST 1: the empty message.
    static let secret = bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    static let publicKey = bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    static let signature = bytes(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )

    @Test("RFC 8032 test vector 1 signs, through the certificate key type the key stores hand out, as the RFC says")
    func rfc8032Vector1() async throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Self.secret)
        #expect(Array(key.publicKey.rawRepresentation) == Self.publicKey)
        let wrapped = Certificate.PrivateKey(key)
        let signed = try await wrapped.signAsynchronously(bytes: [UInt8](), signatureAlgorithm: .ed25519)
        #expect(Array(signed.rawRepresentation) == Self.signature)
        let jwk = try JSONWebKey(publicKey: wrapped.publicKey, kid: "rfc8032", algorithm: .edDSA)
        #expect(jwk.kty == "OKP" && jwk.crv == "Ed25519" && jwk.y == nil)
        #expect(jwk.x == Base64URL.encode(Self.publicKey))
        #expect(jwk.verifies(Self.signature, over: [], algorithm: .edDSA))
        #expect(!jwk.verifies(Self.signature, over: [0], algorithm: .edDSA))
        #expect(!jwk.verifies(Self.signature, over: [], algorithm: .es256), "an OKP key never verifies ES256")
    }

    @Test("the RFC 8037 appendix A.4 JWS verifies with the A.2 public key, and a flipped bit does not")
    func rfc8037Example() throws {
        let jws = try JSONWebSignature(
            compact:
                "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                + "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
        #expect(jws.algorithm == .edDSA)
        let key = try JSONDecoder().decode(
            JSONWebKey.self,
            from: Data(#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#.utf8))
        #expect(key.verifies(jws.signature, over: jws.signingInput, algorithm: .edDSA))
        var forged = jws.signature
        forged[0] ^= 1
        #expect(!key.verifies(forged, over: jws.signingInput, algorithm: .edDSA))
        let withPrivate = #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGx"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONWebKey.self, from: Data(withPrivate.utf8)) }
    }

    @Test("the software key store seals an Ed25519 key and opens it again", arguments: DatabaseEngine.allCases)
    func softwareStore(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations + NationalPKI.migrations) { database in
            let encryption = KeyEncryptionKey.generate().key
            let store = SoftwareKeyStore(database: database, encryptionKey: encryption)
            let made = try await store.generate(name: "oidc/ed", algorithm: .ed25519)
            let reopened = try await SoftwareKeyStore(database: database, encryptionKey: encryption).key(
                named: "oidc/ed")
            #expect(reopened.publicKey == made.publicKey)
            let message = Array("an ID token".utf8)
            let signature = try await reopened.signAsynchronously(bytes: message, signatureAlgorithm: .ed25519)
            let raw = try #require(Curve25519.Signing.PublicKey(made.publicKey))
            #expect(raw.isValidSignature(signature.rawRepresentation, for: message))
        }
    }

    @Test(
        "the provider keeps a current ES256 and a current Ed25519 key; rotation replaces both and keeps the old ones published",
        arguments: DatabaseEngine.allCases)
    func twoCurrentKeys(engine: DatabaseEngine) async throws {
        let migrations = AuditLog.migrations + NationalPKI.migrations + IdentityMigrations.all
        try await TestDatabase.with(engine, migrations: migrations) { database in
            let store = SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key)
            let keys = SigningKeys(database: database, keyStore: store)
            let published = try await keys.published()
            #expect(published.count == 2)
            let okp = try #require(published.first { $0.kty == "OKP" })
            #expect(okp.crv == "Ed25519" && okp.alg == "EdDSA" && okp.use == "sig" && okp.x != nil)
            #expect(published.contains { $0.kty == "EC" && $0.alg == "ES256" })

            let ed = try await keys.current(.edDSA)
            let es = try await keys.current()
            #expect(ed.algorithm == .edDSA && es.algorithm == .es256)
            #expect(ed.keyID == okp.kid)
            #expect(try await keys.current(.edDSA).keyID == ed.keyID, "the current key stays until rotation")

            let token = try await JSONWebSignature.sign(
                claims: ["sub": "x"], key: ed.key, keyID: ed.keyID, algorithm: .edDSA)
            let jws = try JSONWebSignature(compact: token)
            #expect(jws.algorithm == .edDSA && jws.signature.count == 64)
            #expect(okp.verifies(jws.signature, over: jws.signingInput, algorithm: .edDSA))

            let rotated = try await keys.rotate()
            #expect(Set(rotated.map(\.algorithm)) == [.es256, .edDSA])
            #expect(try await keys.current(.edDSA).keyID != ed.keyID)
            #expect(try await keys.current().keyID != es.keyID)
            let after = try await keys.published()
            #expect(after.count == 4, "the retired keys stay published for a day")
            #expect(after.contains { $0.kid == ed.keyID })

            let refused = await #expect(throws: IdentityError.self) { try await keys.rotate(.rs256) }
            #expect(refused?.code == .invalidRecord)
        }
    }
}
