/// What an audit entry's action was done to.
public struct AuditObject: Hashable, Sendable, Codable {
    /// The object's type, named by its block: `person`, `certificate`, `application`, `node`.
    public let type: String
    /// The object's identifier within its type.
    public let id: String

    /// Creates an object reference.
    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }
}
