import Foundation

/// The body of an error answer a node gives itself, rather than passing on the backend's (X-Road Message Protocol
/// for REST §4.6): `{"detail":"…","message":"…","type":"Server.ServerProxy.AccessDenied"}`, sent with the status
/// ``XRoadErrorType/httpStatus``, the `X-Road-Error` header set to the type, and ``contentType``.
public struct XRoadErrorBody: Encodable, Sendable {
    /// The content type of the body (PR-REST §4.3: "The REST messages originating from the Security Server (e.g.
    /// error messages) MUST include the header and indicate the content's type and character encoding").
    public static let contentType = "application/json; charset=utf-8"

    /// Where and what kind of error.
    public let type: XRoadErrorType
    /// What happened, for the client's developers: never a backend's address, a key or personal data.
    public let message: String
    /// What lets an operator find the error in the node's log: X-Road puts an error identifier (a UUID) here.
    public let detail: String

    /// Creates a body.
    public init(type: XRoadErrorType, message: String, detail: String) {
        self.type = type
        self.message = message
        self.detail = detail
    }

    /// The JSON of the body: keys sorted, `/` not escaped.
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Three strings: encoding cannot fail.
        return [UInt8](try! encoder.encode(self))
    }

    /// The JSON of a body of `type`, `message` and `detail`.
    public static func json(type: XRoadErrorType, message: String, detail: String) -> [UInt8] {
        XRoadErrorBody(type: type, message: message, detail: detail).json()
    }
}
