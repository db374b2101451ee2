/// Whether a logged message is a request (client to service) or the response to one.
///
/// Encoded in a ``MessageLogRecord`` as `ENUMERATED { request(0), response(1) }`.
public enum MessageDirection: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A request, sent by the client's exchange node to the service's.
    case request = 0
    /// A response, sent back by the service's exchange node.
    case response = 1

    /// `request` or `response`, as stored and printed.
    public var description: String {
        switch self {
        case .request: "request"
        case .response: "response"
        }
    }

    /// Reads the stored name back.
    public init?(name: String) {
        guard let direction = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = direction
    }
}
