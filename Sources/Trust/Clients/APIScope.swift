/// What an API client may do: each API route requires one scope (Trust's, and Identity's registry API).
public enum APIScope: String, Sendable, CaseIterable, Codable {
    /// Create certificates, list them and change their status.
    case certificates
    /// Ask for signatures and read them back.
    case signatures
    /// Read the client's own signature log.
    case audit
    /// Consent building block: configure policies, data agreements, individuals and webhooks.
    case consentConfig = "consent.config"
    /// Consent building block: record and verify individuals' consent.
    case consentService = "consent.service"
    /// Consent building block: read every consent record and its history.
    case consentAudit = "consent.audit"
    /// Manage the OpenID Connect relying parties through `/identity/v1/relying-parties` (Identity block).
    case identityRelyingParties = "identity.relying-parties"
    /// Manage the exchange's central registry: members, subsystems, nodes, services and access rights.
    case exchangeRegistry = "exchange.registry"
}
