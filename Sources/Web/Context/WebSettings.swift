/// The web settings of a node that the middleware needs.
public struct WebSettings: Sendable {
    /// Whether clients reach the node over HTTPS (directly, or through a TLS-terminating proxy): then cookies are
    /// `Secure` and responses carry `Strict-Transport-Security`.
    public var servedOverTLS: Bool
    /// The largest request body accepted, in bytes.
    public var maximumBodySize: Int
    /// Whether the node runs the demo country (pages show the demo banner).
    public var demo: Bool

    /// Creates settings.
    public init(servedOverTLS: Bool = false, maximumBodySize: Int = 1 << 20, demo: Bool = false) {
        self.servedOverTLS = servedOverTLS
        self.maximumBodySize = maximumBodySize
        self.demo = demo
    }
}
