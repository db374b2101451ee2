public import CivitasCore
import Foundation
import SQLKit
public import Storage
public import Trust
import X509

/// The consent service's seal: a P-256 key in the Trust key store that signs every consent record revision
/// with a compact JWS (RFC 7515, ES256).
///
/// The individual holds no key of their own in a browser, so the seal attests what the service saw: who was
/// authenticated (the person at the consent screen, or the API client acting for them), what they agreed to
/// (the revision's snapshot and hash) and when. Its public keys stay in `identity_consent_keys` for good, so a
/// record sealed years ago still verifies; they are published at `/consent/v1/keys/`.
public struct ConsentSeal: Sendable {
    private let database: Database
    private let keyStore: (any TrustKeyStore)?
    private let clock: any WallClock

    /// The `verificationMethod` of every signature made here.
    public static let verificationMethod = "jws-es256"

    /// Creates the seal; without a key store nothing is signed.
    public init(database: Database, keyStore: (any TrustKeyStore)?, clock: any WallClock = SystemClock()) {
        self.database = database
        self.keyStore = keyStore
        self.clock = clock
    }

    /// A key ready to sign.
    public struct Signer: Sendable {
        /// The `kid`.
        public let keyID: String
        let key: Certificate.PrivateKey
    }

    /// The current key (made on first use), or `nil` when the store has no key store. Call it before the
    /// transaction that signs, so that making a key is not part of a transaction that may be retried.
    public func signer() async throws -> Signer? {
        guard let keyStore else { return nil }
        if let row = try await database.read({ sql in
            try await sql.raw("SELECT kid FROM identity_consent_keys ORDER BY created_at DESC LIMIT 1").first()
        }) {
            let kid = try row.decode(column: "kid", as: String.self)
            return Signer(keyID: kid, key: try await keyStore.key(named: Self.keyName(kid)))
        }
        let kid = "consent-\(Timestamp(clock.now()).description.prefix(10))-\(SessionStore.randomToken(bytes: 6))"
        let key = try await keyStore.generate(name: Self.keyName(kid), algorithm: .p256)
        let jwk = try JSONWebKey(publicKey: key.publicKey, kid: kid, algorithm: .es256)
        let encoded = String(decoding: try JSONEncoder().encode(jwk), as: UTF8.self)
        let now = Timestamp(clock.now()).microseconds
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_consent_keys (kid, public_jwk, created_at)
                VALUES (\(bind: kid), \(bind: encoded), \(bind: now))
                """
            ).run()
        }
        return Signer(keyID: kid, key: key)
    }

    /// Every public key that ever sealed a record.
    public func publishedKeys() async throws -> [JSONWebKey] {
        let rows = try await database.read { sql in
            try await sql.raw("SELECT public_jwk FROM identity_consent_keys ORDER BY created_at").all()
        }
        return try rows.map {
            try JSONDecoder().decode(
                JSONWebKey.self, from: Data(try $0.decode(column: "public_jwk", as: String.self).utf8))
        }
    }

    static func keyName(_ kid: String) -> String { "consent/\(kid)" }

    /// Signs `revision` and stores the signature.
    func sign(
        _ revision: ConsentStore.StoredRevision, signedAs: String, with signer: Signer, in sql: any SQLDatabase
    ) async throws -> ConsentSignature {
        let timestamp = Timestamp(clock.now())
        let header = "{\"alg\":\"ES256\",\"kid\":\"\(signer.keyID)\",\"typ\":\"consent-record+jwt\"}"
        let payload: [String: Any] = [
            "verificationPayload": revision.snapshot, "verificationPayloadHash": revision.hash,
            "verificationMethod": Self.verificationMethod, "verificationSignedBy": "consent-seal:\(signer.keyID)",
            "verificationSignedAs": signedAs, "verificationJwsHeader": header, "timestamp": timestamp.description,
            "signedWithoutObjectReference": false, "objectType": "revision", "objectReference": revision.id,
        ]
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        let payloadText = String(
            decoding: try JSONSerialization.data(withJSONObject: payload, options: options), as: UTF8.self)
        let jws = try await JSONWebSignature.sign(
            claims: payload, key: signer.key, keyID: signer.keyID, algorithm: .es256, type: "consent-record+jwt")
        let signature = ConsentSignature(
            id: ConsentStore.newID("sig"), payload: payloadText, signature: jws,
            verificationMethod: Self.verificationMethod, verificationPayload: revision.snapshot,
            verificationPayloadHash: revision.hash, verificationSignedBy: "consent-seal:\(signer.keyID)",
            verificationSignedAs: signedAs, verificationJwsHeader: header, timestamp: timestamp.description,
            signedWithoutObjectReference: false, objectType: "revision", objectReference: revision.id)
        try await sql.raw(
            """
            INSERT INTO identity_consent_signatures (id, revision_id, payload, signature, verification_method,
                verification_signed_by, verification_signed_as, verification_jws_header, created_at)
            VALUES (\(bind: signature.id), \(bind: revision.id), \(bind: payloadText), \(bind: jws),
                \(bind: Self.verificationMethod), \(bind: signature.verificationSignedBy), \(bind: signedAs),
                \(bind: header), \(bind: timestamp.microseconds))
            """
        ).run()
        return signature
    }

    /// The signature on revision `revisionID`, or `nil`.
    static func signature(
        of revision: ConsentStore.StoredRevision, in sql: any SQLDatabase
    ) async throws -> ConsentSignature? {
        guard
            let row = try await sql.raw(
                """
                SELECT id, payload, signature, verification_signed_by, verification_signed_as,
                    verification_jws_header, created_at
                FROM identity_consent_signatures WHERE revision_id = \(bind: revision.id)
                """
            ).first()
        else { return nil }
        return ConsentSignature(
            id: try row.decode(column: "id", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            signature: try row.decode(column: "signature", as: String.self), verificationMethod: verificationMethod,
            verificationPayload: revision.snapshot, verificationPayloadHash: revision.hash,
            verificationSignedBy: try row.decode(column: "verification_signed_by", as: String.self),
            verificationSignedAs: try row.decode(column: "verification_signed_as", as: String.self),
            verificationJwsHeader: try row.decode(column: "verification_jws_header", as: String.self),
            timestamp: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).description,
            signedWithoutObjectReference: false, objectType: "revision", objectReference: revision.id)
    }

    /// Whether `signature` is a valid seal over `revision`: the snapshot hashes to the revision's hash, the JWS
    /// verifies with a published seal key, and its payload names this revision, snapshot and hash.
    public func verifies(_ signature: ConsentSignature, over revision: ConsentRevision) async throws -> Bool {
        guard ConsentStore.hash(revision.serializedSnapshot) == revision.serializedHash,
            let jws = try? JSONWebSignature(compact: signature.signature), jws.algorithm == .es256,
            let claims = try? jws.claims(),
            claims["objectReference"] as? String == revision.id,
            claims["verificationPayload"] as? String == revision.serializedSnapshot,
            claims["verificationPayloadHash"] as? String == revision.serializedHash,
            String(decoding: jws.payload, as: UTF8.self) == signature.payload
        else { return false }
        let keys = try await publishedKeys().filter { $0.kid == jws.keyID }
        return keys.contains { $0.verifies(jws.signature, over: jws.signingInput, algorithm: .es256) }
    }
}
