/// Whose data an action touched: the person (or organisation) a citizen's "who looked at my data" page is about.
///
/// Stored as `kind:identifier` (for example `person:01234567892`) so that one indexed column answers the query for
/// any kind of subject.
public struct DataSubject: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stored form, `kind:identifier`.
    public let rawValue: String

    /// Creates a subject from its kind (`person`, `organisation`) and identifier.
    public init(kind: String, identifier: String) {
        self.rawValue = "\(kind):\(identifier)"
    }

    /// Restores a subject from its stored form.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The stored form.
    public var description: String { rawValue }
}
