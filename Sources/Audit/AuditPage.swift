/// One page of audit entries, newest first.
public struct AuditPage: Sendable {
    /// The entries on this page.
    public let entries: [AuditEntry]
    /// Pass as `before` to get the next (older) page; `nil` on the last page.
    public let next: Int64?
}
