/// The JSON body of an RFC 9457 problem details response (`application/problem+json`).
public struct ProblemDetails: Codable, Sendable, Equatable {
    /// A URI reference that identifies the problem type.
    public var type: String
    /// A short summary of the problem type (the status's reason phrase for generic types).
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// An explanation specific to this occurrence.
    public var detail: String
    /// The request path the problem occurred at.
    public var instance: String?
    /// The request id (an extension member), to quote to the help desk and to find the log lines.
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance
        case requestID = "request_id"
    }

    /// Creates problem details.
    public init(type: String, title: String, status: Int, detail: String, instance: String?, requestID: String?) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.requestID = requestID
    }
}
