public import CivitasCore
import Foundation
public import Logging
import Synchronization

/// A node's copy of the global configuration: downloaded, verified, stored on disk, and refused once expired.
///
/// ``refresh()`` downloads from the source and verifies with the ``GlobalConfigurationVerifier``; only a
/// configuration that verifies and is not older than the one held replaces it (on disk too, so that a restart
/// without network keeps working). Anything else is refused and the old one kept. ``current()`` answers the held
/// configuration while it is valid, and afterwards an error: a node without a valid configuration does not
/// exchange.
public actor GlobalConfigurationClient {
    private let source: any GlobalConfigurationSource
    private let verifier: GlobalConfigurationVerifier
    private let directory: String
    private let clock: any WallClock
    private let logger: Logger
    private var held: SignedGlobalConfiguration? {
        didSet { published.withLock { $0 = held } }
    }
    /// A copy of ``held`` for readers that cannot wait for the actor (a TLS handshake's peer check).
    private nonisolated let published = Mutex<SignedGlobalConfiguration?>(nil)

    /// The file names under the storage directory.
    static let contentFile = "global-configuration.json"
    static let signatureFile = "global-configuration.p7s"

    /// Creates a client storing its copy in `directory` (created when missing).
    public init(
        source: any GlobalConfigurationSource, verifier: GlobalConfigurationVerifier, directory: String,
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "civitas.exchange.configuration")
    ) {
        self.source = source
        self.verifier = verifier
        self.directory = directory
        self.clock = clock
        self.logger = logger
    }

    /// Loads the stored copy, if it is there and still verifies (a tampered or expired file is ignored).
    ///
    /// - Returns: Whether a valid stored configuration was loaded.
    @discardableResult
    public func loadStored() async -> Bool {
        let contentPath = (directory as NSString).appendingPathComponent(Self.contentFile)
        let signaturePath = (directory as NSString).appendingPathComponent(Self.signatureFile)
        guard let content = FileManager.default.contents(atPath: contentPath),
            let signature = FileManager.default.contents(atPath: signaturePath)
        else { return false }
        do throws(ExchangeError) {
            held = try await verifier.verify(content: [UInt8](content), signature: [UInt8](signature))
            return true
        } catch {
            logger.warning("the stored global configuration is not usable", metadata: ["reason": "\(error.message)"])
            return false
        }
    }

    /// Downloads, verifies and, if it is at least as new as the held one, keeps and stores the configuration.
    ///
    /// - Throws: ``ExchangeError`` `.globalConfigurationRefused` (the held one is kept), or the source's error when
    ///   the download fails.
    @discardableResult
    public func refresh() async throws -> SignedGlobalConfiguration {
        let (content, signature) = try await source.download()
        let verified = try await verifier.verify(content: content, signature: signature)
        if let held, verified.configuration.version < held.configuration.version {
            throw ExchangeError(
                .globalConfigurationRefused,
                "the global configuration is refused: version \(verified.configuration.version) is older than "
                    + "version \(held.configuration.version), held already")
        }
        try store(verified)
        held = verified
        return verified
    }

    /// The configuration to exchange by.
    ///
    /// - Throws: ``ExchangeError`` `.globalConfigurationUnavailable` when none was ever obtained,
    ///   `.globalConfigurationExpired` once the held one has expired.
    public func current() throws(ExchangeError) -> GlobalConfiguration {
        try snapshot()
    }

    /// ``current()`` without waiting for the actor: the configuration last verified, while it is valid.
    public nonisolated func snapshot() throws(ExchangeError) -> GlobalConfiguration {
        guard let held = published.withLock({ $0 }) else {
            throw ExchangeError(
                .globalConfigurationUnavailable,
                "this node has no valid global configuration yet: it cannot exchange until it downloads one")
        }
        guard clock.now() < held.configuration.expiresAt else {
            throw ExchangeError(
                .globalConfigurationExpired,
                "the global configuration version \(held.configuration.version) expired at "
                    + "\(Timestamp(held.configuration.expiresAt)): this node refuses to exchange until it gets a "
                    + "fresh one from the central registry")
        }
        return held.configuration
    }

    /// The held configuration, valid or not, for diagnostics.
    public var lastVerified: SignedGlobalConfiguration? { held }

    private func store(_ signed: SignedGlobalConfiguration) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The signature first, then the content: each write is atomic, and a pair torn by a crash fails
        // verification on the next start, which then downloads again.
        try Data(signed.signature).write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(Self.signatureFile)),
            options: .atomic)
        try Data(signed.content).write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(Self.contentFile)),
            options: .atomic)
    }
}
