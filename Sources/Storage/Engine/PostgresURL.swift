import Foundation

/// A parsed `postgres://user:password@host:port/database?sslmode=...` URL.
///
/// Parsed at the door so that a mistyped URL is reported, naming what is wrong, before anything tries to connect.
/// The password is kept out of ``description`` so that the URL can be logged.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected, after libpq's `sslmode`.
    public enum TLSMode: String, Sendable {
        /// Plain TCP (acceptable on loopback or a private network only).
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection.
        case require
    }

    /// Host name or address.
    public let host: String
    /// TCP port.
    public let port: Int
    /// Role name.
    public let username: String
    /// Role password, if any.
    public let password: String?
    /// Database name.
    public let database: String
    /// Transport protection.
    public let tlsMode: TLSMode

    /// Parses `string`; throws a ``StorageError`` with code `.invalidConfiguration` naming the faulty part.
    public init(_ string: String) throws(StorageError) {
        guard let components = URLComponents(string: string), let scheme = components.scheme else {
            throw StorageError(.invalidConfiguration, "the database URL is not a URL")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw StorageError(.invalidConfiguration, "the database URL must start with postgres:// (got \(scheme)://)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StorageError(.invalidConfiguration, "the database URL has no host")
        }
        guard let username = components.user, !username.isEmpty else {
            throw StorageError(.invalidConfiguration, "the database URL has no user name")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StorageError(.invalidConfiguration, "the database URL names no database")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw StorageError(.invalidConfiguration, "the database URL has port \(port), outside 1-65535")
        }
        var tlsMode = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode", "tlsmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw StorageError(.invalidConfiguration, "sslmode must be disable, prefer or require")
                }
                tlsMode = mode
            default:
                throw StorageError(.invalidConfiguration, "the database URL has an unknown parameter \(item.name)")
            }
        }
        self.host = host
        self.port = port
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.tlsMode = tlsMode
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }
}
