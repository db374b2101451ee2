import Crypto

/// One part of an exchanged message as the seal covers it: its MIME content type and the SHA-256 of its bytes.
public struct MessagePart: Sendable, Hashable {
    /// The part's content type, e.g. `application/x-road-rest-request`.
    public let contentType: String
    /// SHA-256 of the part's bytes as they were sent.
    public let digest: [UInt8]

    /// A part whose digest the caller computed (while streaming it).
    public init(contentType: String, digest: [UInt8]) {
        self.contentType = contentType
        self.digest = digest
    }

    /// A part whose bytes are at hand.
    public init(contentType: String, bytes: some Sequence<UInt8>) {
        self.contentType = contentType
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        self.digest = Array(hasher.finalize())
    }

    /// The content type of the REST request head (request line and headers).
    public static let restRequest = "application/x-road-rest-request"
    /// The content type of the REST response head (status line and headers).
    public static let restResponse = "application/x-road-rest-response"
    /// The content type of a REST body, whatever the body's own type.
    public static let restBody = "application/x-road-rest-body"
}
