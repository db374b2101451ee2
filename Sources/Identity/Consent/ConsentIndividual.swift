/// An individual in the consent records (GovStack Consent BB `Individual`): a reference to someone in another
/// system, not necessarily one natural person.
public struct ConsentIndividual: Sendable, Hashable, Codable {
    /// The external id type of a person in the population register.
    public static let personalNumberType = "personal_number"
    /// The identity provider id written for people who consent through Civitas's own OpenID provider.
    public static let civitasProvider = "civitas"

    /// The id (`ind-` and 16 hex digits).
    public var id: String
    /// The id in another system (for `personal_number`, a checked personal number).
    public var externalId: String?
    /// What kind of id `externalId` is (`personal_number`, `email`, …).
    public var externalIdType: String?
    /// The identity provider that knows the individual.
    public var identityProviderId: String?

    /// Creates an individual.
    public init(id: String, externalId: String? = nil, externalIdType: String? = nil, identityProviderId: String? = nil)
    {
        self.id = id
        self.externalId = externalId
        self.externalIdType = externalIdType
        self.identityProviderId = identityProviderId
    }
}
