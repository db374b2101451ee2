/// What an API client may do: each Trust API route requires one scope.
public enum APIScope: String, Sendable, CaseIterable, Codable {
    /// Create certificates, list them and change their status.
    case certificates
    /// Ask for signatures and read them back.
    case signatures
    /// Read the client's own signature log.
    case audit
    /// Manage the exchange's central registry: members, subsystems, nodes, services and access rights.
    case exchangeRegistry = "exchange.registry"
}
