import Audit
import CivitasCore
import DemoCountry
import Exchange
import Foundation
public import Hummingbird
import Identity
public import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
public import Storage
import Trust
import UnixSignals
public import Web

#if canImport(Glibc)
    import Glibc
#endif

/// Builds a Civitas node: the one place where the blocks are wired together.
public enum Node {
    /// The release version, reported in the API description.
    public static let version = "0.1.0"

    /// The migrations of every block composed into a node, in order.
    public static func migrations(demo: Bool) -> [Migration] {
        AuditLog.migrations + NationalPKI.migrations + IdentityMigrations.all + ExchangeMigrations.all
            + (demo ? DemoCountryStore.migrations : [])
    }

    /// Opens the configured database and applies pending migrations; returns it and the migrations applied now.
    ///
    /// - Throws: ``ConfigurationError`` for the `database` setting when the database cannot be opened or migrated.
    public static func openDatabase(
        _ configuration: NodeConfiguration, demo: Bool, logger: Logger
    ) async throws(ConfigurationError) -> (database: Database, applied: [Migration]) {
        if case .sqlite = configuration.databaseLocation {
            do {
                try FileManager.default.createDirectory(
                    atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw ConfigurationError(
                    setting: Setting.dataDirectory.key,
                    reason: "cannot create \(configuration.dataDirectory): \(error.localizedDescription)")
            }
        }
        let database: Database
        do {
            database = try await Database.open(configuration.databaseLocation, logger: logger)
        } catch {
            throw ConfigurationError(setting: "database", reason: error.message)
        }
        do {
            let audit = AuditLog(database: database)
            let migrator = try Migrator(
                database: database, migrations: migrations(demo: demo), logger: logger,
                afterEach: { migration, sql in
                    try await audit.append(
                        AuditEvent(
                            actor: .system("migrator"), action: "storage.schema.migrate",
                            object: AuditObject(type: "migration", id: "\(migration.module)/\(migration.version)"),
                            purpose: migration.name),
                        in: sql)
                })
            let applied = try await migrator.migrate()
            return (database, applied)
        } catch {
            await database.close()
            throw ConfigurationError(setting: "database", reason: "migration failed: \(error)")
        }
    }

    /// Builds the HTTP application over an open, migrated database.
    ///
    /// - Parameter demo: the demo country to present, on a demo node.
    public static func buildApplication(
        configuration: NodeConfiguration, database: Database, logger: Logger, demo: SitePresentation.Demo? = nil,
        onServerRunning: @escaping @Sendable () async -> Void = {}
    ) async throws -> some ApplicationProtocol {
        let settings = WebSettings(
            servedOverTLS: configuration.servedOverTLS, maximumBodySize: configuration.maximumBodySize,
            demo: demo != nil)
        let renderer = try await PageRenderer.bundled(settings: settings)
        let migrator = try Migrator(database: database, migrations: migrations(demo: demo != nil), logger: logger)
        let served = configuration.blocks ?? NodeBlocks.national

        let router = Router(context: CivitasRequestContext.self)
        router.add(middleware: RequestContextMiddleware(settings: settings))
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware(servedOverTLS: settings.servedOverTLS))
        router.add(middleware: ErrorMiddleware(renderer: renderer))
        // The exchange node's door bounds its messages itself, by the instance's policy.
        router.add(middleware: BodyLimitMiddleware(exemptPathPrefixes: ["/r1/"]))

        let routes = RouteTable()
        var services: [any Service] = []
        HealthRoutes(database: database, migrator: migrator).register(in: routes)
        MetricsRoutes(registry: CivitasMetrics.registry).register(in: routes)
        var fragments = [try OpenAPIDocument.bundledFragment("node")]
        if served.contains(NodeBlocks.trust) {
            fragments.append(try OpenAPIDocument.bundledFragment("validation"))
            fragments.append(try OpenAPIDocument.bundledFragment("esignature"))
        }
        if served.contains(NodeBlocks.identity) {
            fragments.append(try OpenAPIDocument.bundledFragment("identity-devices"))
            fragments.append(try OpenAPIDocument.bundledFragment("consent"))
            fragments.append(try OpenAPIDocument.bundledFragment("identity-relying-parties"))
        }
        if served.contains(NodeBlocks.registry) {
            fragments.append(try OpenAPIDocument.bundledFragment("exchange-registry"))
        }
        OpenAPIRoutes(document: try OpenAPIDocument.compose(fragments: fragments, version: version))
            .register(in: routes)
        let needsPKI =
            served.contains(NodeBlocks.trust) || served.contains(NodeBlocks.identity)
            || served.contains(NodeBlocks.registry)
        let pki = needsPKI ? try TrustSetup.pki(configuration, database: database, logger: logger) : nil
        if served.contains(NodeBlocks.trust), let pki {
            TrustRoutes(pki: pki).register(in: routes)
            TimeStampingRoutes(pki: pki, database: database).register(in: routes)
            ValidationRoutes(pki: pki).register(in: routes)
            let revocation = RevocationRoutes(pki: pki, database: database)
            revocation.register(in: routes)
            RemoteSigningRoutes(pki: pki, database: database).register(in: routes)
            services.append(revocation.watcher)
        }
        if served.contains(NodeBlocks.identity), let pki {
            let audit = AuditLog(database: database)
            // Representation and powers of attorney (decision 0016).
            let powers = PowersOfAttorney(
                database: database, audit: audit, population: PopulationRegister(database: database, audit: audit),
                entities: LegalEntityRegistry(database: database, audit: audit),
                signatures: QualifiedSignatureCheck(pki: pki), publicURL: configuration.effectivePublicURL)
            var sessions = BrowserSessions(
                store: SessionStore(database: database, audit: audit), servedOverTLS: settings.servedOverTLS)
            let consentRecords = ConsentStore(database: database, audit: audit, keyStore: pki.keyStore)
            ConsentRoutes(store: consentRecords, clients: APIClientRegistry(database: database, audit: audit))
                .register(in: routes)
            sessions.canActForOthers = { try await !powers.principals(of: $0).isEmpty }
            var provider = OpenIDProvider(
                issuer: configuration.effectivePublicURL, database: database, audit: audit,
                keys: SigningKeys(database: database, keyStore: pki.keyStore),
                population: PopulationRegister(database: database, audit: audit), consentRecords: consentRecords)
            provider.representation = powers
            RepresentationRoutes(
                powers: powers, sessions: sessions, population: PopulationRegister(database: database, audit: audit),
                renderer: renderer
            ).register(in: routes)
            OpenIDRoutes(provider: provider, sessions: sessions, renderer: renderer).register(in: routes)
            var accounts = AccountStore(
                database: database, audit: audit, hasher: PasswordHasher(), throttle: LoginThrottle(database: database))
            // TOTP seeds are sealed at rest with the node's key-encryption key, as the software trust keys are.
            accounts.secretsKey = try TrustSetup.keyEncryptionKey(configuration, logger: logger)
            PasswordLoginRoutes(
                accounts: accounts, sessions: sessions, renderer: renderer, database: database,
                servedOverTLS: settings.servedOverTLS
            ).register(in: routes)
            TwoStepRoutes(sessions: sessions, accounts: accounts, renderer: renderer).register(in: routes)
            var account = AccountRoutes(
                sessions: sessions, provider: provider,
                population: PopulationRegister(database: database, audit: audit),
                renderer: renderer)
            if let portal = configuration.portalExchange, let node = URL(string: portal.url) {
                account.dataUsage = ExchangeDataUsage(
                    client: PersonalDataUsageClient(node: node, client: try XRoadClientIdentifier(portal.client)))
            }
            account.register(in: routes)
            registerOfficialRoutes(
                in: routes, database: database, audit: audit, sessions: sessions, provider: provider,
                accounts: accounts, renderer: renderer)
            if let origin = DeviceLoginRoutes.origin(of: configuration.effectivePublicURL) {
                DeviceLoginRoutes(
                    service: DeviceLoginService(database: database, audit: audit, pki: pki), renderer: renderer,
                    completion: sessions, people: sessions, origin: origin, settings: settings
                ).register(in: routes)
            }
        }
        if served.contains(NodeBlocks.registry), let pki {
            let registry = try await centralRegistry(pki: pki, database: database)
            let validity = configuration.exchange.configurationValiditySeconds
            GlobalConfigurationRoutes(
                publisher: GlobalConfigurationPublisher(
                    registry: registry, database: database, pki: pki, validity: TimeInterval(validity),
                    republishAfter: TimeInterval(validity) / 4,
                    policies: .init(
                        ocspFreshnessSeconds: configuration.exchange.ocspFreshnessSeconds,
                        timeStampingIntervalSeconds: configuration.exchange.timeStampIntervalSeconds,
                        maximumMessageBytes: configuration.exchange.maximumMessageBytes),
                    timeStampingURL: configuration.exchange.timeStampingURL)
            ).register(in: routes)
            RegistryAPIRoutes(
                registry: registry, clients: APIClientRegistry(database: database, audit: AuditLog(database: database))
            ).register(in: routes)
        }
        if served.contains(NodeBlocks.exchange) {
            let exchange = try await exchangeNode(configuration, database: database, logger: logger)
            ExchangeNodeRoutes(runtime: exchange.runtime).register(in: routes)
            services.append(contentsOf: exchange.services)
        }
        if served.contains(NodeBlocks.web) {
            var available = Set(["core", "storage", "audit"]).union(served)
            // The home page presents the Exchange block as one; its central registry is the part that exists.
            if served.contains(NodeBlocks.registry) { available.insert("exchange") }
            let presentation = SitePresentation(available: available, demo: demo)
            try WebRoutes(renderer: renderer, presentation: presentation, settings: settings).register(in: routes)
        }
        routes.install(on: router)

        return Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Civitas"),
            services: services,
            onServerRunning: { _ in await onServerRunning() },
            logger: logger)
    }

    /// Runs a node until SIGTERM or SIGINT, then drains and closes the database.
    ///
    /// - Throws: ``ConfigurationError`` for `http.port` when the address cannot be bound.
    public static func run(
        configuration: NodeConfiguration, database: Database, logger: Logger, demo: SitePresentation.Demo? = nil
    ) async throws {
        let address = "http://\(configuration.host):\(configuration.port)/"
        let engine = database.engine
        let application = try await buildApplication(
            configuration: configuration, database: database, logger: logger, demo: demo,
            onServerRunning: {
                logger.info("Civitas is serving", metadata: ["address": "\(address)", "engine": "\(engine)"])
            })
        do {
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
            await database.close()
            throw ConfigurationError(
                setting: Setting.port.key,
                reason: "cannot listen on \(configuration.host):\(configuration.port): "
                    + (error.errnoCode == EADDRINUSE ? "the address is already in use" : "permission denied"))
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        logger.info("Civitas stopped")
    }
}
