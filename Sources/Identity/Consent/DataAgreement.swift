/// A single purpose that individuals can consent to (GovStack Consent BB `DataAgreement`), with the personal
/// data attributes it covers.
///
/// The specification models the attributes as `DataAgreementAttribute` rows pointing at their agreement; here
/// they travel inside the agreement as `dataAttributes`, so that a revision's snapshot holds all of them, as the
/// specification asks ("all related objects have to be serialized and included").
public struct DataAgreement: Sendable, Hashable, Codable {
    /// The data controller (GovStack Consent BB `Controller`).
    public struct Controller: Sendable, Hashable, Codable {
        /// Its id.
        public var id: String
        /// Its name.
        public var name: String
        /// Its URL.
        public var url: String

        /// Creates a controller.
        public init(id: String, name: String, url: String) {
            self.id = id
            self.name = name
            self.url = url
        }
    }

    /// One personal data attribute (GovStack Consent BB `DataAgreementAttribute`).
    public struct Attribute: Sendable, Hashable, Codable {
        /// Its id.
        public var id: String
        /// The attribute's name (for a relying party, the OpenID claim).
        public var name: String
        /// `low`, `medium` or `high`.
        public var sensitivity: String
        /// A grouping (for a relying party, the scope that releases it).
        public var category: String

        /// Creates an attribute.
        public init(id: String, name: String, sensitivity: String, category: String) {
            self.id = id
            self.name = name
            self.sensitivity = sensitivity
            self.category = category
        }
    }

    /// The lawful bases the specification names.
    public static let lawfulBases: Set<String> = [
        "consent", "legal_obligation", "contract", "vital_interest", "public_task", "legitimate_interest",
    ]
    /// The values of `dataUse` the specification names.
    public static let dataUses: Set<String> = ["data_source", "data_using_service"]

    /// The agreement's id (`da-` and 16 hex digits).
    public var id: String
    /// Its version.
    public var version: String
    /// The data controller.
    public var controller: Controller?
    /// The policy that governs it, as that policy read when this revision was written.
    public var policy: ConsentPolicy?
    /// The purpose, shown to the individual.
    public var purpose: String
    /// One of ``lawfulBases``.
    public var lawfulBasis: String
    /// One of ``dataUses``, or none.
    public var dataUse: String?
    /// The data protection impact assessment (or where it is).
    public var dpia: String
    /// Whether new consent records may be made.
    public var active: Bool
    /// Whether a withdrawn consent record may be forgotten.
    public var forgettable: Bool
    /// The personal data it covers.
    public var dataAttributes: [Attribute]

    /// Creates an agreement.
    public init(
        id: String, version: String, controller: Controller? = nil, policy: ConsentPolicy? = nil, purpose: String,
        lawfulBasis: String, dataUse: String? = nil, dpia: String, active: Bool = true, forgettable: Bool = false,
        dataAttributes: [Attribute] = []
    ) {
        self.id = id
        self.version = version
        self.controller = controller
        self.policy = policy
        self.purpose = purpose
        self.lawfulBasis = lawfulBasis
        self.dataUse = dataUse
        self.dpia = dpia
        self.active = active
        self.forgettable = forgettable
        self.dataAttributes = dataAttributes
    }
}
