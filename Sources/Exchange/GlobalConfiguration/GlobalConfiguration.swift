public import Foundation

/// The global configuration of an exchange instance: what every node needs to know about every other, published
/// by the central registry and signed with its e-seal (X-Road's shared parameters, in JSON).
///
/// Its canonical encoding (``canonicalBytes()``) is what is signed and served: JSON with keys sorted by their
/// (ASCII) names, no insignificant whitespace, `/` not escaped, integers only, times as RFC 3339 UTC seconds,
/// certificates as base64 DER, and every list sorted by identifier. Encoding the same value twice gives the same
/// bytes, so any agency can rebuild and compare.
public struct GlobalConfiguration: Hashable, Sendable, Codable {
    /// The format of this document; a node refuses one it does not know.
    public static let currentFormat = 1

    /// The document's format, ``currentFormat``.
    public var format: Int
    /// The X-Road instance, e.g. `CVT`.
    public var instance: String
    /// Grows by one with each configuration the registry publishes; a node never goes back to a lower one.
    public var version: Int64
    /// When the registry made it.
    public var createdAt: Date
    /// After this instant a node must not use it: it refuses to exchange until it has a fresh one.
    public var expiresAt: Date
    /// Members and their subsystems.
    public var members: [Member]
    /// Exchange nodes, their addresses, authentication certificates and clients.
    public var nodes: [Node]
    /// Services, by provider subsystem.
    public var services: [Service]
    /// Who may call which service (everything else is denied).
    public var accessRights: [AccessRule]
    /// The CA certificates nodes trust (the national root and the organisations CA), base64 DER.
    public var trustedCAs: [String]
    /// Where nodes get RFC 3161 time-stamps for the message log.
    public var timeStampingURL: String
    /// Where nodes ask RFC 6960 OCSP for the status of each other's certificates.
    public var ocspURL: String
    /// The instance's limits and intervals.
    public var policies: Policies

    /// A member with its subsystems.
    public struct Member: Hashable, Sendable, Codable {
        /// `INSTANCE/CLASS/MEMBER`.
        public var id: String
        /// The registered name.
        public var name: String
        /// Its subsystems, `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
        public var subsystems: [String]
    }

    /// An exchange node.
    public struct Node: Hashable, Sendable, Codable {
        /// `INSTANCE/CLASS/MEMBER/SERVER`.
        public var id: String
        /// `host:port`.
        public var address: String
        /// Its authentication certificates, base64 DER.
        public var authenticationCertificates: [String]
        /// The subsystems it serves.
        public var clients: [String]
    }

    /// A service.
    public struct Service: Hashable, Sendable, Codable {
        /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
        public var id: String
        /// The version, when the provider gives one.
        public var version: String?
        /// A title for people.
        public var title: String
        /// The SHA-256 of its OpenAPI description (lowercase hex), when the registry keeps one.
        public var openAPIDigest: String?
    }

    /// One access right.
    public struct AccessRule: Hashable, Sendable, Codable {
        /// The client subsystem.
        public var client: String
        /// The service.
        public var service: String
        /// The one method allowed, or absent for any.
        public var method: String?
        /// The path pattern allowed, or absent for any.
        public var path: String?
    }

    /// Limits and intervals every node applies.
    public struct Policies: Hashable, Sendable, Codable {
        /// How old an OCSP answer about a node's certificate may be before a node stops trusting it.
        public var ocspFreshnessSeconds: Int
        /// How often a node time-stamps its message log.
        public var timeStampingIntervalSeconds: Int
        /// The largest message a node accepts.
        public var maximumMessageBytes: Int

        /// Creates policies; the defaults are X-Road's (OCSP 3600 s, time-stamping 60 s) and a 10 MiB message.
        public init(
            ocspFreshnessSeconds: Int = 3_600, timeStampingIntervalSeconds: Int = 60,
            maximumMessageBytes: Int = 10 * 1024 * 1024
        ) {
            self.ocspFreshnessSeconds = ocspFreshnessSeconds
            self.timeStampingIntervalSeconds = timeStampingIntervalSeconds
            self.maximumMessageBytes = maximumMessageBytes
        }
    }

    /// The canonical encoding: what is signed and served.
    public func canonicalBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return [UInt8](try encoder.encode(self))
    }

    /// Decodes a configuration from its JSON.
    public init(json bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        self = try decoder.decode(GlobalConfiguration.self, from: Data(bytes))
    }

    /// Whether `client` may call `service` with `method` on `path`, by the access rules (deny by default; the
    /// same matching as the central registry's ``AccessRight``).
    public func permits(client: String, service: String, method: String, path: String) -> Bool {
        accessRights.contains { rule in
            rule.client == client && rule.service == service
                && (rule.method.map { $0 == method.uppercased() } ?? true)
                && (rule.path.map { AccessRight.matches(pattern: $0, path: path) } ?? true)
        }
    }

    init(
        instance: String, version: Int64, createdAt: Date, expiresAt: Date, members: [Member], nodes: [Node],
        services: [Service], accessRights: [AccessRule], trustedCAs: [String], timeStampingURL: String,
        ocspURL: String, policies: Policies
    ) {
        self.format = Self.currentFormat
        self.instance = instance
        self.version = version
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.members = members
        self.nodes = nodes
        self.services = services
        self.accessRights = accessRights
        self.trustedCAs = trustedCAs
        self.timeStampingURL = timeStampingURL
        self.ocspURL = ocspURL
        self.policies = policies
    }
}
