/// One configuration setting of a node and the three names it goes by.
///
/// Precedence: command-line flag, then environment variable, then the JSON config file, then the default.
public struct Setting: Sendable, Hashable {
    /// The key in the config file (`http.port` is `{"http": {"port": …}}`) and in swift-configuration.
    public let key: String
    /// The environment variable.
    public let environment: String
    /// The command-line flag, for the settings that have one.
    public let flag: String?
    /// Whether the value is a secret (never logged).
    public let isSecret: Bool

    /// Every setting a node reads. An environment variable `CIVITAS_*` or a config-file key not listed here is a
    /// configuration error, so that a typo never silently leaves a default in force.
    public static let all: [Setting] = [
        host, port, publicURL, maximumBodySize, dataDirectory, databaseURL, logLevel, logFormat, blocks,
        keyEncryptionKey, pkcs11Module, pkcs11Token, pkcs11PIN, exchangeNode, exchangeRegistryURL, exchangePort,
        exchangeUnstampedLimit, exchangeTimeStampInterval, exchangeOCSPFreshness, exchangeConfigurationValidity,
        exchangeMaximumMessageBytes, exchangeTimeStampingURL, portalExchangeURL, portalExchangeClient,
    ]

    /// Address to listen on.
    public static let host = Setting(key: "http.host", environment: "CIVITAS_HOST", flag: "--host")
    /// TCP port to listen on.
    public static let port = Setting(key: "http.port", environment: "CIVITAS_PORT", flag: "--port")
    /// The URL clients reach the node at; `https://` turns on HSTS and `Secure` cookies.
    public static let publicURL = Setting(
        key: "http.public_url", environment: "CIVITAS_PUBLIC_URL", flag: "--public-url")
    /// Largest request body accepted, in bytes.
    public static let maximumBodySize = Setting(
        key: "http.max_body_bytes", environment: "CIVITAS_MAX_BODY_BYTES", flag: nil)
    /// The data directory (SQLite database, keys, exports).
    public static let dataDirectory = Setting(key: "data.dir", environment: "CIVITAS_DATA_DIR", flag: "--data")
    /// A PostgreSQL URL; without it the node uses SQLite in the data directory.
    public static let databaseURL = Setting(
        key: "database.url", environment: "CIVITAS_DATABASE_URL", flag: "--database-url", isSecret: true)
    /// Log level.
    public static let logLevel = Setting(key: "log.level", environment: "CIVITAS_LOG_LEVEL", flag: "--log-level")
    /// Log format, `text` or `json`.
    public static let logFormat = Setting(key: "log.format", environment: "CIVITAS_LOG_FORMAT", flag: "--log-format")
    /// The building blocks this node serves, comma-separated, or `all`.
    public static let blocks = Setting(key: "node.blocks", environment: "CIVITAS_BLOCKS", flag: "--blocks")

    /// The key-encryption key that seals the trust services' software keys (32 bytes, base64).
    public static let keyEncryptionKey = Setting(
        key: "trust.key_encryption_key", environment: "CIVITAS_KEY_ENCRYPTION_KEY", flag: nil, isSecret: true)

    /// A PKCS#11 module (an HSM's library, or SoftHSM2's) that holds the trust services' keys instead of the
    /// database.
    public static let pkcs11Module = Setting(
        key: "trust.pkcs11_module", environment: "CIVITAS_PKCS11_MODULE", flag: nil)
    /// The label of the PKCS#11 token.
    public static let pkcs11Token = Setting(key: "trust.pkcs11_token", environment: "CIVITAS_PKCS11_TOKEN", flag: nil)
    /// The PKCS#11 user PIN.
    public static let pkcs11PIN = Setting(
        key: "trust.pkcs11_pin", environment: "CIVITAS_PKCS11_PIN", flag: nil, isSecret: true)

    /// The exchange node this process is, `INSTANCE/CLASS/MEMBER/SERVER` (the `exchange` block).
    public static let exchangeNode = Setting(key: "exchange.node", environment: "CIVITAS_EXCHANGE_NODE", flag: nil)
    /// The central registry's base URL, where the node downloads the global configuration.
    public static let exchangeRegistryURL = Setting(
        key: "exchange.registry_url", environment: "CIVITAS_EXCHANGE_REGISTRY_URL", flag: nil)
    /// The port other nodes reach this node's provider side on (mutual TLS).
    public static let exchangePort = Setting(key: "exchange.port", environment: "CIVITAS_EXCHANGE_PORT", flag: nil)
    /// How long time-stamping may fail before the node refuses new messages.
    public static let exchangeUnstampedLimit = Setting(
        key: "exchange.unstamped_limit_seconds", environment: "CIVITAS_EXCHANGE_UNSTAMPED_LIMIT_SECONDS", flag: nil)
    /// How often the message log is time-stamped.
    public static let exchangeTimeStampInterval = Setting(
        key: "exchange.timestamp_interval_seconds", environment: "CIVITAS_EXCHANGE_TIMESTAMP_INTERVAL_SECONDS",
        flag: nil)

    /// The registry's policy: how old an OCSP answer about a node's certificate may be.
    public static let exchangeOCSPFreshness = Setting(
        key: "exchange.ocsp_freshness_seconds", environment: "CIVITAS_EXCHANGE_OCSP_FRESHNESS_SECONDS", flag: nil)
    /// The registry's policy: how long a published global configuration is valid.
    public static let exchangeConfigurationValidity = Setting(
        key: "exchange.configuration_validity_seconds", environment: "CIVITAS_EXCHANGE_CONFIGURATION_VALIDITY_SECONDS",
        flag: nil)
    /// The registry's policy: the largest message a node accepts.
    public static let exchangeMaximumMessageBytes = Setting(
        key: "exchange.max_message_bytes", environment: "CIVITAS_EXCHANGE_MAX_MESSAGE_BYTES", flag: nil)

    /// The registry's policy: the TSA nodes stamp their message logs with (default: this node's own).
    public static let exchangeTimeStampingURL = Setting(
        key: "exchange.tsa_url", environment: "CIVITAS_EXCHANGE_TSA_URL", flag: nil)

    /// The exchange node whose client side the citizen portal calls (its `/r1/` door), to gather the providers'
    /// data trackers onto the person's own page.
    public static let portalExchangeURL = Setting(
        key: "portal.exchange_url", environment: "CIVITAS_PORTAL_EXCHANGE_URL", flag: nil)
    /// The portal's own subsystem, `INSTANCE/CLASS/MEMBER/SUBSYSTEM`, that the providers grant `myPersonalDataUsage`.
    public static let portalExchangeClient = Setting(
        key: "portal.exchange_client", environment: "CIVITAS_PORTAL_EXCHANGE_CLIENT", flag: nil)

    /// The environment variable naming the config file.
    public static let configFileEnvironment = "CIVITAS_CONFIG_FILE"
    /// Environment variables with this prefix belong to the test suite and are ignored by nodes.
    public static let testPrefix = "CIVITAS_TEST_"

    init(key: String, environment: String, flag: String?, isSecret: Bool = false) {
        self.key = key
        self.environment = environment
        self.flag = flag
        self.isSecret = isSecret
    }

    /// How an operator can set it, for error messages: `--port, CIVITAS_PORT or http.port in the config file`.
    public var spelledOut: String {
        (flag.map { "\($0), " } ?? "") + "\(environment) or \(key) in the config file"
    }

    /// The name swift-configuration's environment provider looks up for ``key`` (`http.port` → `HTTP_PORT`).
    var providerName: String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
