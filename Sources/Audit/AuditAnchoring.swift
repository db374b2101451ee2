/// Commits the chain's head to something outside the database, so that cutting entries off the end is detectable.
///
/// The hash chain alone shows any change, deletion, insertion or reordering among the entries it has, but not the
/// loss of its newest entries. An anchor (the Trust block's RFC 3161 time-stamp over the head hash) proves that the
/// chain reached at least `head` at a given time; ``AuditLog/verify(anchors:)`` checks every recorded anchor.
public protocol AuditAnchoring: Sendable {
    /// A stable name for the anchor kind, stored with each token (e.g. `rfc3161`).
    var kind: String { get }
    /// Produces a token that commits to `head`.
    func anchor(_ head: AuditHead) async throws -> [UInt8]
    /// Throws unless `token` is a valid commitment to `head`.
    func verify(token: [UInt8], for head: AuditHead) async throws
}
