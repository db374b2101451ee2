/// A policy that governs data agreements in the realm of a data controller (GovStack Consent BB `Policy`).
///
/// The property names are the specification's, so that the type encodes to the API's JSON as it is.
public struct ConsentPolicy: Sendable, Hashable, Codable {
    /// The policy's id (`pol-` and 16 hex digits).
    public var id: String
    /// Its name.
    public var name: String
    /// Its version.
    public var version: String
    /// The permanent URL of this very version.
    public var url: String
    /// The jurisdiction it is written for.
    public var jurisdiction: String?
    /// The industry sector.
    public var industrySector: String?
    /// How long data may be kept, in days.
    public var dataRetentionPeriodDays: Int?
    /// Where data may go.
    public var geographicRestriction: String?
    /// Where data is stored.
    public var storageLocation: String?

    /// Creates a policy.
    public init(
        id: String, name: String, version: String, url: String, jurisdiction: String? = nil,
        industrySector: String? = nil, dataRetentionPeriodDays: Int? = nil, geographicRestriction: String? = nil,
        storageLocation: String? = nil
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.url = url
        self.jurisdiction = jurisdiction
        self.industrySector = industrySector
        self.dataRetentionPeriodDays = dataRetentionPeriodDays
        self.geographicRestriction = geographicRestriction
        self.storageLocation = storageLocation
    }
}
