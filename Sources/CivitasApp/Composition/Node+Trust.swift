public import Logging
public import Storage
public import Trust

extension Node {
    /// The national PKI of a node's database, with the configured key-encryption key.
    public static func nationalPKI(
        _ configuration: NodeConfiguration, database: Database, logger: Logger
    ) throws -> NationalPKI {
        try TrustSetup.pki(configuration, database: database, logger: logger)
    }
}
