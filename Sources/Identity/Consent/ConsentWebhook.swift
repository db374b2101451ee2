/// A webhook subscription (GovStack Consent BB `Webhook`). Stored and listed; nothing is delivered yet.
public struct ConsentWebhook: Sendable, Hashable, Codable {
    /// Its id (`wh-` and 16 hex digits).
    public var id: String
    /// Where events would be posted (https, or http on localhost).
    public var payloadUrl: String
    /// `application/json`.
    public var contentType: String
    /// Whether it is paused.
    public var disabled: Bool
    /// The shared secret for signing deliveries; answered as `********` except when it is created.
    public var secretKey: String

    /// Creates a webhook.
    public init(id: String, payloadUrl: String, contentType: String, disabled: Bool, secretKey: String) {
        self.id = id
        self.payloadUrl = payloadUrl
        self.contentType = contentType
        self.disabled = disabled
        self.secretKey = secretKey
    }
}
