/// A legal entity as the business registry will hold it; for now the minimal record that representation needs.
public struct LegalEntity: Sendable, Hashable {
    /// The entity's status in the registry.
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        /// Registered and active: its representatives may act for it.
        case active
        /// In liquidation, reorganisation or otherwise suspended: no new powers of attorney.
        case suspended
        /// Struck off the registry.
        case dissolved
    }

    /// The registry code.
    public var registryCode: RegistryCode
    /// The name in Georgian script.
    public var name: String
    /// The name in Latin script.
    public var nameLatin: String
    /// The legal form, as the registry abbreviates it (`LLC`, `JSC`, `NNLE`, …).
    public var legalForm: String
    /// The status.
    public var status: Status

    /// Creates a record; ``LegalEntityRegistry`` checks it before storing it.
    public init(
        registryCode: RegistryCode, name: String, nameLatin: String, legalForm: String, status: Status = .active
    ) {
        self.registryCode = registryCode
        self.name = name
        self.nameLatin = nameLatin
        self.legalForm = legalForm
        self.status = status
    }
}
