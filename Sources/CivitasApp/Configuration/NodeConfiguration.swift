public import Logging
public import Storage

/// Everything a node needs to know to start, validated.
public struct NodeConfiguration: Sendable {
    /// The log line format.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// Human-readable lines.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }

    /// Address to listen on.
    public var host: String = "127.0.0.1"
    /// TCP port to listen on.
    public var port: Int = 8080
    /// Whether clients reach the node over HTTPS (from `http.public_url`).
    public var servedOverTLS = false
    /// Largest request body accepted, in bytes.
    public var maximumBodySize: Int = 1 << 20
    /// The data directory.
    public var dataDirectory: String = "data"
    /// The database: PostgreSQL when `database.url` is set, otherwise SQLite in the data directory.
    public var database: DatabaseLocation?
    /// Log level.
    public var logLevel: Logger.Level = .info
    /// Log format.
    public var logFormat: LogFormat = .text
    /// The blocks to serve; `nil` means every block.
    public var blocks: Set<String>?
    /// The key-encryption key (base64) for the trust services' software keys; when absent, a development key is
    /// kept in `<data dir>/secrets/key-encryption-key`.
    public var keyEncryptionKey: String?
    /// The PKCS#11 token holding the trust services' keys, when they live in an HSM.
    public var pkcs11: (module: String, token: String, pin: String)?
    /// The URL clients reach the node at (`http.public_url`), embedded in certificates for CRLs and OCSP.
    public var publicURL: String?
    /// The exchange node's settings (the `exchange` block).
    public var exchange = ExchangeSettings()
    /// Where the citizen portal reaches the data exchange, as its own member system: the node's client side and
    /// the portal's subsystem; both or neither.
    public var portalExchange: (url: String, client: String)?

    /// What an exchange node is and where it finds its registry.
    public struct ExchangeSettings: Sendable {
        /// `INSTANCE/CLASS/MEMBER/SERVER`; required by the `exchange` block.
        public var node: String?
        /// The central registry's base URL; required by the `exchange` block.
        public var registryURL: String?
        /// The provider side's TLS port.
        public var port: Int = 8443
        /// How long time-stamping may fail before the node refuses new messages (X-Road's default is 4 h).
        public var unstampedLimitSeconds: Int = 4 * 3600
        /// How often the message log is time-stamped (X-Road: 60 s).
        public var timeStampIntervalSeconds: Int = 60
        /// The registry's policy: the OCSP freshness limit every node applies (X-Road: 3600 s).
        public var ocspFreshnessSeconds: Int = 3_600
        /// The registry's policy: how long a published configuration is valid.
        public var configurationValiditySeconds: Int = 3_600
        /// The registry's policy: the TSA the nodes use, when not this node's own.
        public var timeStampingURL: String?
        /// The registry's policy: the largest message (10 MiB).
        public var maximumMessageBytes: Int = 10 << 20

        /// The defaults.
        public init() {}
    }

    /// The base URL certificates point relying parties to.
    public var effectivePublicURL: String {
        publicURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
    }

    /// Creates the default configuration.
    public init() {}

    /// The database location, with SQLite's file in the data directory as the default.
    public var databaseLocation: DatabaseLocation {
        database ?? .sqlite(path: dataDirectory + "/civitas.sqlite")
    }
}
