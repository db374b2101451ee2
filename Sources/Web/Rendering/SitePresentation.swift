/// What the home page presents: the platform's building blocks and, on a demo node, the demo country.
public struct SitePresentation: Sendable {
    /// One building block of the platform.
    public struct Block: Sendable {
        /// The block's id (`trust`); its title and summary are the catalogue keys `block_<id>_title` and `_summary`.
        public let id: String
        /// Whether this node serves it.
        public let available: Bool

        /// Creates a block entry.
        public init(id: String, available: Bool) {
            self.id = id
            self.available = available
        }
    }

    /// The demo country, shown on a demo node.
    public struct Demo: Sendable {
        /// How many synthetic residents the population register holds.
        public let persons: Int
        /// Catalogue keys of the demo agencies' names.
        public let agencyKeys: [String]

        /// Creates the demo description.
        public init(persons: Int, agencyKeys: [String]) {
            self.persons = persons
            self.agencyKeys = agencyKeys
        }
    }

    /// Every building block, in the order the home page lists them.
    public let blocks: [Block]
    /// The demo country, when this node runs it.
    public let demo: Demo?

    /// The ids of every building block of the platform, in presentation order.
    public static let allBlockIDs = [
        "core", "storage", "audit", "web", "trust", "identity", "exchange", "registries", "portal",
    ]

    /// Creates the presentation; blocks not in `available` are shown as coming.
    public init(available: Set<String>, demo: Demo?) {
        self.blocks = Self.allBlockIDs.map { Block(id: $0, available: available.contains($0)) }
        self.demo = demo
    }
}
