import Foundation
public import HTTPTypes

/// What an exchange node answers, on either side: a status, header fields and the body (in memory or spooled).
public struct NodeAnswer: Sendable {
    /// The status.
    public var status: HTTPResponse.Status
    /// The header fields.
    public var fields: HTTPFields
    /// The body.
    public var body: MessageBody

    /// An answer.
    public init(status: HTTPResponse.Status, fields: HTTPFields = [:], body: MessageBody = MessageBody()) {
        self.status = status
        self.fields = fields
        self.body = body
    }

    /// An answer whose body is at hand.
    public init(status: HTTPResponse.Status, fields: HTTPFields = [:], body: [UInt8]) {
        self.init(status: status, fields: fields, body: MessageBody(body))
    }
}

/// A refusal by an exchange node, in X-Road's terms: the error type says which side failed and why, the message
/// says it for the client's developers.
public struct NodeFault: Error, Sendable, CustomStringConvertible {
    /// The X-Road error type.
    public let type: XRoadErrorType
    /// What happened.
    public let message: String

    /// A fault.
    public init(_ type: XRoadErrorType, _ message: String) {
        self.type = type
        self.message = message
    }

    /// `type: message`.
    public var description: String { "\(type): \(message)" }

    /// The answer the protocol defines: the status of the type, `X-Road-Error`, and the JSON `{type, message,
    /// detail}` whose detail is `detail` (the query id, or an id for the node's log).
    public func answer(detail: String, queryID: String? = nil) -> NodeAnswer {
        var fields: HTTPFields = [
            .contentType: XRoadErrorBody.contentType, HTTPField.Name(XRoadErrorType.headerName)!: type.rawValue,
        ]
        if let queryID { fields[ExchangeHeaders.id] = queryID }
        return NodeAnswer(
            status: HTTPResponse.Status(code: type.httpStatus),
            fields: fields, body: XRoadErrorBody.json(type: type, message: message, detail: detail))
    }
}

/// The header fields of the exchange protocol.
public enum ExchangeHeaders {
    /// `X-Road-Client`: the calling subsystem.
    public static let client = HTTPField.Name("X-Road-Client")!
    /// `X-Road-Id`: the query id.
    public static let id = HTTPField.Name("X-Road-Id")!
    /// `X-Road-UserId`: the person at the client's side.
    public static let userID = HTTPField.Name("X-Road-UserId")!
    /// `X-Road-Issue`: why the data is asked for (a case or file number).
    public static let issue = HTTPField.Name("X-Road-Issue")!
    /// `X-Road-Request-Hash`: base64 of SHA-256 of the request's sealed manifest, on responses.
    public static let requestHash = HTTPField.Name("X-Road-Request-Hash")!
    /// `X-Road-Error`: the error type, on a node's own error answers.
    public static let error = HTTPField.Name(XRoadErrorType.headerName)!
    /// Between nodes: the base64 of the sealed message head (``RESTMessageHead``).
    public static let messageHead = HTTPField.Name("X-Civitas-Message-Head")!
    /// Between nodes: the base64 of the seal (a detached CAdES signature over the manifest).
    public static let seal = HTTPField.Name("X-Civitas-Seal")!
    /// From a provider's backend: whose personal data the answer carries (a personal number), for the data
    /// tracker.
    public static let dataSubject = HTTPField.Name("X-Civitas-Data-Subject")!
    /// The path nodes post sealed messages to.
    public static let messagePath = "/exchange/v1/message"
}
