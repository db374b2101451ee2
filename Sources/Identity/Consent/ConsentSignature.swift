/// A signature over a revision (GovStack Consent BB `Signature`).
///
/// `payload` is the JSON the specification describes (sorted keys); `signature` is a compact JWS (RFC 7515,
/// ES256) whose payload is exactly `payload`, made with the consent seal key in the Trust key store. The key
/// is published at `/consent/v1/keys/`; `verificationSignedBy` names it.
public struct ConsentSignature: Sendable, Hashable, Codable {
    /// The signature's id (`sig-` and 16 hex digits).
    public var id: String
    /// The signed JSON.
    public var payload: String
    /// The compact JWS over `payload`.
    public var signature: String
    /// How to verify it: ``ConsentSeal/verificationMethod``.
    public var verificationMethod: String
    /// The revision's snapshot.
    public var verificationPayload: String
    /// The revision's hash.
    public var verificationPayloadHash: String
    /// The seal key: `consent-seal:` and its `kid`.
    public var verificationSignedBy: String
    /// `individual` when the individual authenticated to make the change, `delegate` when a service made it.
    public var verificationSignedAs: String
    /// The JWS protected header, decoded.
    public var verificationJwsHeader: String
    /// When it was made (ISO 8601, UTC).
    public var timestamp: String
    /// Always `false`.
    public var signedWithoutObjectReference: Bool
    /// Always `revision`.
    public var objectType: String
    /// The revision signed.
    public var objectReference: String
}
