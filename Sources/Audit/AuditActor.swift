/// Who did something: the subject of an audit entry's verb.
public struct AuditActor: Hashable, Sendable, Codable {
    /// The kind of actor.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A citizen or resident acting for themselves (or for someone they represent).
        case person
        /// A public official acting in their role.
        case official
        /// Civitas itself (start-up, scheduled jobs, the demo generator).
        case system
        /// Another system: an agency's exchange node, a relying party, an API client.
        case machine
    }

    /// The kind of actor.
    public let kind: Kind
    /// The actor's identifier in its kind's namespace: a personal number, an official's id, a client id.
    public let id: String
    /// Whom the actor acted for, when they acted under representation or a power of attorney.
    public let onBehalfOf: String?

    /// Creates an actor.
    public init(kind: Kind, id: String, onBehalfOf: String? = nil) {
        self.kind = kind
        self.id = id
        self.onBehalfOf = onBehalfOf
    }

    /// Civitas itself, doing `component`'s work.
    public static func system(_ component: String) -> AuditActor {
        AuditActor(kind: .system, id: component)
    }
}
