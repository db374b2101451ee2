import Audit
public import CivitasCore
public import Foundation
import SQLKit
public import Storage
import SwiftASN1
public import Trust
import X509

/// Assembles the global configuration from the central registry, signs it with the registry's e-seal and keeps
/// every published version in `exchange_global_configurations`.
///
/// A configuration is published again when the registry changed since the last one, or when the last one is older
/// than ``republishAfter`` (so that nodes always find one far from expiry). Several nodes over one database
/// publish at most one version each time: the version is the table's primary key, and a node that loses the race
/// reads the winner's.
public struct GlobalConfigurationPublisher: Sendable {
    /// The e-seal the registry signs with (`seal/central-registry` in the Trust key store).
    public static let sealName = "central-registry"
    /// The organisation named in that seal's certificate; nodes check its common name
    /// (``GlobalConfigurationVerifier/defaultSignerName``).
    public static let sealOrganisation = "Civitas Central Registry"

    private let registry: CentralRegistry
    private let database: Database
    private let pki: NationalPKI
    private let clock: any WallClock
    /// How long a published configuration is valid.
    public let validity: TimeInterval
    /// How old the newest configuration may get before a fresh one is published.
    public let republishAfter: TimeInterval
    /// The policies written into every configuration.
    public let policies: GlobalConfiguration.Policies
    /// The TSA nodes stamp their logs with: the PKI's own (`<base URL>/tsa`) unless another is named.
    public let timeStampingURL: String

    /// Creates a publisher.
    public init(
        registry: CentralRegistry, database: Database, pki: NationalPKI, validity: TimeInterval = 3_600,
        republishAfter: TimeInterval = 600, policies: GlobalConfiguration.Policies = .init(),
        timeStampingURL: String? = nil, clock: any WallClock = SystemClock()
    ) {
        self.timeStampingURL = timeStampingURL ?? "\(pki.baseURL)/tsa"
        self.registry = registry
        self.database = database
        self.pki = pki
        self.validity = validity
        self.republishAfter = republishAfter
        self.policies = policies
        self.clock = clock
    }

    /// The configuration nodes should use now: the newest, or a new one when that is stale.
    public func current() async throws -> SignedGlobalConfiguration {
        let revision = try await registry.revision()
        if let newest = try await stored(version: nil), newest.revision == revision,
            clock.now().timeIntervalSince(newest.signed.configuration.createdAt) < republishAfter
        {
            return newest.signed
        }
        return try await publish()
    }

    /// Publishes a new version now.
    @discardableResult
    public func publish() async throws -> SignedGlobalConfiguration {
        let revision = try await registry.revision()
        let seal = try await ensureSeal()
        let root = try await pki.certificate(role: .root)
        let organisations = try await pki.certificate(role: .organisationsCA)
        for attempt in 1...3 {
            let previous = try await stored(version: nil)?.signed.configuration.version ?? 0
            let configuration = try await assemble(
                version: previous + 1, trustedCAs: [root.der, organisations.der])
            let content = try configuration.canonicalBytes()
            let signature = try await CAdESSigner(clock: clock).sign(
                content, key: seal.key, certificate: seal.certificate.certificate,
                chain: [organisations.certificate], level: .basic)
            do {
                try await database.transaction { sql in
                    try await sql.raw(
                        """
                        INSERT INTO exchange_global_configurations (version, registry_revision, created_at, expires_at,
                            content, signature)
                        VALUES (\(bind: configuration.version), \(bind: revision),
                            \(bind: Timestamp(configuration.createdAt).microseconds),
                            \(bind: Timestamp(configuration.expiresAt).microseconds), \(bind: Data(content)),
                            \(bind: Data(signature)))
                        """
                    ).run()
                }
                return SignedGlobalConfiguration(content: content, signature: signature, configuration: configuration)
            } catch let error as StorageError where error.code == .uniqueViolation && attempt < 3 {
                // Another node published this version first: take its number into account and try again.
                continue
            }
        }
        throw ExchangeError(.invalidRecord, "could not publish a global configuration")
    }

    /// The published configuration `version`, or `nil`.
    public func configuration(version: Int64) async throws -> SignedGlobalConfiguration? {
        try await stored(version: version)?.signed
    }

    private func stored(version: Int64?) async throws -> (signed: SignedGlobalConfiguration, revision: Int64)? {
        let row = try await database.read { sql in
            if let version {
                return try await sql.raw(
                    """
                    SELECT content, signature, registry_revision FROM exchange_global_configurations
                    WHERE version = \(bind: version)
                    """
                ).first()
            }
            return try await sql.raw(
                """
                SELECT content, signature, registry_revision FROM exchange_global_configurations
                ORDER BY version DESC LIMIT 1
                """
            ).first()
        }
        guard let row else { return nil }
        let content = [UInt8](try row.decode(column: "content", as: Data.self))
        let signature = [UInt8](try row.decode(column: "signature", as: Data.self))
        return (
            SignedGlobalConfiguration(
                content: content, signature: signature, configuration: try GlobalConfiguration(json: content)),
            try row.decode(column: "registry_revision", as: Int64.self)
        )
    }

    /// The registry's seal, created on first use.
    private func ensureSeal() async throws -> (key: Certificate.PrivateKey, certificate: StoredCertificate) {
        do {
            return try await pki.seal(named: Self.sealName)
        } catch let error as TrustError where error.code == .notFound {
            _ = try await pki.createSeal(
                name: Self.sealName, organisation: Self.sealOrganisation,
                organisationIdentifier: registry.instance, actor: .system("exchange.registry"))
            return try await pki.seal(named: Self.sealName)
        }
    }

    private func assemble(version: Int64, trustedCAs: [[UInt8]]) async throws -> GlobalConfiguration {
        // Whole seconds, so that the RFC 3339 form in the document decodes to the same instant.
        let now = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
        let members = try await registry.members().map { member in
            GlobalConfiguration.Member(
                id: member.id.description, name: member.name, subsystems: member.subsystems.map(\.description))
        }
        let nodes = try await registry.nodes().map { node in
            GlobalConfiguration.Node(
                id: node.id.description, address: node.address.description,
                authenticationCertificates: try node.certificates.map { try Self.base64DER($0) },
                clients: node.clients.map(\.description))
        }
        let services = try await registry.services().map { service in
            GlobalConfiguration.Service(
                id: service.id.description, version: service.id.serviceVersion, title: service.title,
                openAPIDigest: service.openAPIDigest)
        }
        let rights = try await registry.accessRights().map { right in
            GlobalConfiguration.AccessRule(
                client: right.client.description, service: right.service.description, method: right.method,
                path: right.path)
        }
        .sorted {
            ($0.service, $0.client, $0.method ?? "", $0.path ?? "") < (
                $1.service, $1.client, $1.method ?? "", $1.path ?? ""
            )
        }
        return GlobalConfiguration(
            instance: registry.instance, version: version, createdAt: now, expiresAt: now.addingTimeInterval(validity),
            members: members, nodes: nodes, services: services, accessRights: rights,
            trustedCAs: trustedCAs.map { Data($0).base64EncodedString() }, timeStampingURL: timeStampingURL,
            ocspURL: "\(pki.baseURL)/ocsp", policies: policies)
    }

    static func base64DER(_ certificate: Certificate) throws -> String {
        Data(try certificate.serializeAsPEM().derBytes).base64EncodedString()
    }
}
