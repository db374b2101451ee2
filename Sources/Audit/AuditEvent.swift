/// What a block asks the audit log to record.
public struct AuditEvent: Hashable, Sendable, Codable {
    /// Who acted.
    public var actor: AuditActor
    /// The verb, named `block.noun.verb`: `trust.certificate.revoke`, `identity.person.read`.
    public var action: String
    /// What was acted on.
    public var object: AuditObject
    /// Whose personal data was involved, if anyone's.
    public var subject: DataSubject?
    /// Why: the legal basis or service the action served, shown to the data subject.
    public var purpose: String
    /// The request that caused it, linking the entry to the node's logs.
    public var requestID: String?

    /// Creates an event.
    public init(
        actor: AuditActor, action: String, object: AuditObject, subject: DataSubject? = nil, purpose: String,
        requestID: String? = nil
    ) {
        self.actor = actor
        self.action = action
        self.object = object
        self.subject = subject
        self.purpose = purpose
        self.requestID = requestID
    }
}
