/// A generic revision (GovStack Consent BB `Revision`): the serialized state of one object at one moment.
///
/// `serializedSnapshot` is JSON with sorted keys and unescaped slashes, written once and never re-encoded;
/// `serializedHash` is its SHA-256 in lowercase hex (the specification suggests SHA-1, which is broken for
/// collisions), and `predecessorHash` repeats the previous revision's hash, so each object's revisions form a
/// chain.
public struct ConsentRevision: Sendable, Hashable, Codable {
    /// The revision's id (`rev-` and 16 hex digits).
    public var id: String
    /// `Policy`, `DataAgreement` or `ConsentRecord`.
    public var schemaName: String
    /// The id of the object revised.
    public var objectId: String
    /// Always `false`: ids are assigned before the snapshot is made.
    public var signedWithoutObjectId: Bool
    /// The JSON snapshot.
    public var serializedSnapshot: String
    /// Its SHA-256, lowercase hex.
    public var serializedHash: String
    /// When it was written (ISO 8601, UTC).
    public var timestamp: String
    /// The individual who authorized it, if it was one.
    public var authorizedByIndividual: ConsentIndividual?
    /// Who else authorized it (an API client, the OpenID provider).
    public var authorizedByOther: String?
    /// The previous revision's hash.
    public var predecessorHash: String?
    /// The previous revision's signature (a compact JWS), if it had one.
    public var predecessorSignature: String?
}
