import Audit
import CivitasCore
public import Exchange
import Foundation
public import Logging
import ServiceLifecycle
public import Storage
import SwiftASN1
import Trust
public import X509

/// An exchange node's keys and certificates (decision 0026): both keys live in the node's key store (PKCS#11
/// when configured), the certificates, with their issuing CA, in PEM files under `<data>/exchange/`.
public enum ExchangeNodeKeys {
    /// The key store name of the TLS authentication key.
    public static let authenticationKey = "exchange/authentication"
    /// The key store name of the owner's e-seal key.
    public static let sealKey = "exchange/seal"
    /// The files, relative to the data directory.
    public static let authenticationFile = "exchange/authentication.pem"
    /// The seal certificate and its chain.
    public static let sealFile = "exchange/seal.pem"
    /// The national root.
    public static let trustAnchorFile = "exchange/trust-anchor.pem"

    /// Makes both keys and the PKCS#10 requests for them: the authentication certificate names the node, the seal
    /// certificate the member (``MemberSealSubject``).
    ///
    /// - Throws: when the keys exist already, or the identifier is not a node's.
    public static func createRequests(
        node: ExchangeNodeIdentifier, organisation: String, configuration: NodeConfiguration, database: Database,
        logger: Logger
    ) async throws -> (authentication: CertificateSigningRequest, seal: CertificateSigningRequest) {
        let keyStore = try TrustSetup.keyStore(configuration, database: database, logger: logger)
        let authentication = try await keyStore.generate(name: authenticationKey, algorithm: .p256)
        let seal = try await keyStore.generate(name: sealKey, algorithm: .p256)
        let nodeName = try DistinguishedName {
            CountryName("CV")
            OrganizationName(organisation)
            CommonName(node.description)
        }
        return (
            try CertificateSigningRequest(
                version: .v1, subject: nodeName, privateKey: authentication,
                attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256),
            try CertificateSigningRequest(
                version: .v1, subject: try MemberSealSubject.name(member: node.owner, organisation: organisation),
                privateKey: seal, attributes: CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256)
        )
    }

    /// Checks the issued certificates against the node's keys and stores them with their chain and the root.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` when a certificate is not for its key, or the chain does not
    ///   end at the root.
    public static func importCertificates(
        authentication: Certificate, seal: Certificate, issuingCA: Certificate, trustAnchor: Certificate,
        configuration: NodeConfiguration, database: Database, logger: Logger
    ) async throws {
        let keyStore = try TrustSetup.keyStore(configuration, database: database, logger: logger)
        for (certificate, name, what) in [
            (authentication, authenticationKey, "authentication"), (seal, sealKey, "seal"),
        ] {
            let key = try await keyStore.key(named: name)
            guard key.publicKey == certificate.publicKey else {
                throw ExchangeError(.invalidRecord, "the \(what) certificate is not for this node's \(what) key")
            }
            guard certificate.issuer == issuingCA.subject else {
                throw ExchangeError(.invalidRecord, "the \(what) certificate is not issued by the given CA")
            }
        }
        guard issuingCA.issuer == trustAnchor.subject, trustAnchor.issuer == trustAnchor.subject else {
            throw ExchangeError(.invalidRecord, "the issuing CA is not under the given root")
        }
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("exchange")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func write(_ certificates: [Certificate], to file: String) throws {
            let text = try certificates.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
            try text.write(
                toFile: (configuration.dataDirectory as NSString).appendingPathComponent(file), atomically: true,
                encoding: .utf8)
        }
        try write([authentication, issuingCA], to: authenticationFile)
        try write([seal, issuingCA], to: sealFile)
        try write([trustAnchor], to: trustAnchorFile)
    }

    /// The node's identity from its key store and files.
    ///
    /// - Throws: ``ConfigurationError`` naming what is missing.
    static func identity(
        node: ExchangeNodeIdentifier, configuration: NodeConfiguration, database: Database, logger: Logger
    ) async throws -> ExchangeNodeIdentity {
        func certificates(_ file: String) throws(ConfigurationError) -> [Certificate] {
            let path = (configuration.dataDirectory as NSString).appendingPathComponent(file)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                let documents = try? PEMDocument.parseMultiple(pemString: text),
                let parsed = try? documents.map({ try Certificate(pemDocument: $0) }), !parsed.isEmpty
            else {
                throw ConfigurationError(
                    setting: Setting.exchangeNode.key,
                    reason: "\(path) is missing or not PEM certificates; run `civitas exchange keys import` first")
            }
            return parsed
        }
        let authentication = try certificates(authenticationFile)
        let seal = try certificates(sealFile)
        let anchor = try certificates(trustAnchorFile)[0]
        let keyStore = try TrustSetup.keyStore(configuration, database: database, logger: logger)
        let authenticationKeyValue: Certificate.PrivateKey
        let sealKeyValue: Certificate.PrivateKey
        do {
            authenticationKeyValue = try await keyStore.key(named: authenticationKey)
            sealKeyValue = try await keyStore.key(named: sealKey)
        } catch {
            throw ConfigurationError(
                setting: Setting.exchangeNode.key,
                reason: "the node's keys are not in its key store; run `civitas exchange keys create` first")
        }
        do {
            return try ExchangeNodeIdentity(
                id: node,
                credentials: NodeCredentials(
                    key: authenticationKeyValue, certificate: authentication[0],
                    chain: Array(authentication.dropFirst())),
                seal: CAdESSigner.Signer(key: sealKeyValue, certificate: seal[0], chain: Array(seal.dropFirst())),
                trustAnchor: anchor)
        } catch {
            throw ConfigurationError(setting: Setting.exchangeNode.key, reason: error.message)
        }
    }
}

extension Node {
    /// The exchange node of this process: its runtime and the services it runs beside the HTTP listener (the
    /// provider side's TLS listener, the configuration refresher, the time-stamper, the archiver).
    static func exchangeNode(
        _ configuration: NodeConfiguration, database: Database, logger: Logger
    ) async throws -> (runtime: ExchangeNodeRuntime, services: [any Service]) {
        guard let nodeText = configuration.exchange.node else {
            throw ConfigurationError(
                setting: Setting.exchangeNode.key, reason: "the exchange block needs the node's identifier")
        }
        guard let registryURL = configuration.exchange.registryURL else {
            throw ConfigurationError(
                setting: Setting.exchangeRegistryURL.key,
                reason: "the exchange block needs the central registry's URL")
        }
        let node: ExchangeNodeIdentifier
        do {
            node = try ExchangeNodeIdentifier(nodeText)
        } catch {
            throw ConfigurationError(setting: Setting.exchangeNode.key, reason: error.message)
        }
        let identity = try await ExchangeNodeKeys.identity(
            node: node, configuration: configuration, database: database, logger: logger)
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("exchange")
        let client = GlobalConfigurationClient(
            source: HTTPGlobalConfigurationSource(baseURL: registryURL),
            verifier: GlobalConfigurationVerifier(trustAnchor: identity.trustAnchor, instance: node.owner.instance),
            directory: directory, logger: logger)
        await client.loadStored()
        let log = MessageLog(
            database: database,
            configuration: MessageLogConfiguration(
                maximumUnstampedAge: .seconds(configuration.exchange.unstampedLimitSeconds),
                archiveDirectory: MessageLogConfiguration.defaultArchiveDirectory(
                    dataDirectory: configuration.dataDirectory),
                bodyDirectory: MessageLogConfiguration.defaultBodyDirectory(dataDirectory: configuration.dataDirectory)
            ))
        do {
            let swept = try await log.sweepBodyFiles()
            if swept > 0 { logger.notice("removed body files no record names", metadata: ["files": "\(swept)"]) }
        } catch {
            throw ConfigurationError(
                setting: Setting.dataDirectory.key, reason: "cannot check the logged bodies: \(error)")
        }
        // Bodies over the spool's memory limit go to files beside the log's (one file system: logging one is a
        // link); what a run left there was under way when it stopped, and never acknowledged.
        let spool = BodySpool(directory: BodySpool.defaultDirectory(dataDirectory: configuration.dataDirectory))
        do {
            try spool.clear()
        } catch {
            throw ConfigurationError(
                setting: Setting.dataDirectory.key, reason: "cannot prepare \(spool.directory.path): \(error)")
        }
        let runtime = ExchangeNodeRuntime(
            identity: identity, configuration: client, trust: ExchangeTrust(), log: log,
            services: ProvidedServices(database: database, audit: AuditLog(database: database)),
            tracker: DataTracker(database: database),
            nodes: NodeHTTPClient(credentials: identity.credentials, trustRoots: [identity.trustAnchor]),
            spool: spool, logger: logger)
        let port = configuration.exchange.port
        let listener = try ServerProxyListener(
            runtime: runtime, host: configuration.host, port: port, logger: logger,
            onRunning: { port in
                logger.info("exchange node is serving other nodes", metadata: ["node": "\(node)", "port": "\(port)"])
            })
        return (
            runtime,
            [
                listener,
                GlobalConfigurationRefresher(client: client, interval: .seconds(60), logger: logger),
                MessageLogTimeStamper(
                    log: log, source: ConfiguredTimeStampSource(configuration: client),
                    interval: .seconds(configuration.exchange.timeStampIntervalSeconds), logger: logger),
                MessageLogArchiver(log: log, logger: logger),
            ]
        )
    }
}
