public import CivitasCore
public import Foundation

/// Where the citizen's page learns who used the person's data: the providers' data trackers, gathered through the
/// data exchange (the composition supplies one; the Identity block does not talk to the exchange itself).
public protocol PersonalDataUsageSource: Sendable {
    /// Every recorded use of `person`'s data, and the providers that could not say.
    func dataUsage(of person: PersonalNumber) async throws -> PersonalDataUsageList
}

/// What the providers said about one person.
public struct PersonalDataUsageList: Sendable {
    /// One use of the person's data.
    public struct Use: Sendable, Hashable {
        /// The organisation that received the data, by name (its identifier when the name is not known).
        public var organisation: String
        /// Its system, `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
        public var system: String
        /// The person at the organisation who asked, when it said.
        public var officer: String?
        /// The service that gave the data.
        public var service: String
        /// Why, as the organisation said.
        public var purpose: String?
        /// When.
        public var at: Date
        /// The message that carried it, as both sides' logs name it.
        public var reference: String

        /// Creates a use.
        public init(
            organisation: String, system: String, officer: String?, service: String, purpose: String?, at: Date,
            reference: String
        ) {
            self.organisation = organisation
            self.system = system
            self.officer = officer
            self.service = service
            self.purpose = purpose
            self.at = at
            self.reference = reference
        }
    }

    /// Every use, newest first.
    public var uses: [Use]
    /// The providers that should have answered and did not.
    public var unanswered: [String]

    /// Creates a list.
    public init(uses: [Use], unanswered: [String]) {
        self.uses = uses
        self.unanswered = unanswered
    }
}
