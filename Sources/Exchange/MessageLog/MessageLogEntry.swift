/// One message an exchange node sends or receives, as it hands it to ``MessageLog/append(_:)``.
///
/// The log adds the time and turns it into a ``MessageLogRecord``. Identifiers arrive as strings in the X-Road
/// forms (`CIVITAS/GOV/70000001/population`); the log checks only that they are present and of sane length, since
/// the exchange node has parsed them at its door.
public struct MessageLogEntry: Sendable, Hashable {
    /// The message id (`X-Road-Id`), shared by a request and its response.
    public var messageID: String
    /// The client identifier (`X-Road-Client`).
    public var client: String
    /// The service identifier (`X-Road-Service`).
    public var service: String
    /// Request or response.
    public var direction: MessageDirection
    /// The signed headers, exactly as the signature covers them.
    public var signedHeaders: [UInt8]
    /// The body. Only its SHA-256 digest and length go into the record; the bytes are kept beside it (in the
    /// database when it is in memory, as a file in ``MessageLogConfiguration/bodyDirectory`` when it is spooled).
    public var body: MessageBody
    /// The sending member's signature over ``signedHeaders``: a DER CMS/CAdES ContentInfo, or other bytes.
    public var signature: [UInt8]
    /// `X-Road-Request-Hash`, for responses.
    public var requestHash: String?

    /// Creates an entry whose body is at hand.
    public init(
        messageID: String, client: String, service: String, direction: MessageDirection, signedHeaders: [UInt8],
        body: [UInt8], signature: [UInt8], requestHash: String? = nil
    ) {
        self.init(
            messageID: messageID, client: client, service: service, direction: direction, signedHeaders: signedHeaders,
            body: MessageBody(body), signature: signature, requestHash: requestHash)
    }

    /// Creates an entry.
    public init(
        messageID: String, client: String, service: String, direction: MessageDirection, signedHeaders: [UInt8],
        body: MessageBody, signature: [UInt8], requestHash: String? = nil
    ) {
        self.messageID = messageID
        self.client = client
        self.service = service
        self.direction = direction
        self.signedHeaders = signedHeaders
        self.body = body
        self.signature = signature
        self.requestHash = requestHash
    }
}
