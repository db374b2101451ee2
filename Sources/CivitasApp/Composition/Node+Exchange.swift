import Audit
public import Exchange
public import Logging
public import Storage
import Trust

extension Node {
    /// The X-Road instance of this Civitas deployment's exchange (the demo country's, `CVT`).
    public static let exchangeInstance = "CVT"

    /// The central registry of a node's database; node certificates must come from its PKI's organisations CA
    /// (none are accepted until the PKI exists).
    public static func centralRegistry(
        _ configuration: NodeConfiguration, database: Database, logger: Logger
    ) async throws -> CentralRegistry {
        let pki = try TrustSetup.pki(configuration, database: database, logger: logger)
        return try await centralRegistry(pki: pki, database: database)
    }

    static func centralRegistry(pki: NationalPKI, database: Database) async throws -> CentralRegistry {
        let issuers =
            try await pki.isInitialised() ? [try await pki.certificate(role: .organisationsCA).certificate] : []
        return CentralRegistry(
            database: database, audit: AuditLog(database: database), instance: exchangeInstance,
            nodeCertificateIssuers: issuers)
    }
}
