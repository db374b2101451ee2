public import HTTPTypes
import NIOHTTP1

extension NodeHTTPClient {
    /// A peer node's answer.
    public struct Response: Sendable {
        /// The status.
        public var status: HTTPResponse.Status
        /// The header fields, without the connection-specific ones (`Connection`, `Keep-Alive`, `Transfer-Encoding`).
        public var headerFields: HTTPFields
        /// The body, at most the caller's response limit.
        public var body: MessageBody

        /// An answer.
        public init(status: HTTPResponse.Status, headerFields: HTTPFields, body: MessageBody) {
            self.status = status
            self.headerFields = headerFields
            self.body = body
        }

        init(head: HTTPResponseHead, body: MessageBody) {
            var fields = HTTPFields()
            for (name, value) in head.headers {
                guard let name = HTTPField.Name(name), !NodeHTTPClient.hopByHop.contains(name) else { continue }
                fields.append(HTTPField(name: name, value: value))
            }
            self.init(
                status: HTTPResponse.Status(code: Int(head.status.code), reasonPhrase: head.status.reasonPhrase),
                headerFields: fields, body: body)
        }
    }

    /// Fields that describe one HTTP/1.1 connection rather than the message (RFC 9110 §7.6.1).
    static let hopByHop: Set<HTTPField.Name> = [
        .connection, .transferEncoding, .te, .upgrade, HTTPField.Name("Keep-Alive")!,
        HTTPField.Name("Proxy-Connection")!,
    ]

    /// The HTTP/1.1 head for `request`: its method, path and fields, with `Host` and `Content-Length` set here and
    /// any connection-specific field the caller set left out, so that the framing is always the client's own.
    static func requestHead(_ request: HTTPRequest, bodyLength: Int, address: NodeAddress) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: request.authority ?? address.description)
        for field in request.headerFields
        where !hopByHop.contains(field.name) && field.name != .contentLength && field.name.canonicalName != "host" {
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "Content-Length", value: String(bodyLength))
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue), uri: request.path ?? "/",
            headers: headers)
    }
}
