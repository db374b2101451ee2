public import CivitasCore
public import Foundation

/// One use of a person's data as a provider's node reports it to the person (GovStack's `myPersonalDataUsage`,
/// schema `PersonalDataUsage`; the Estonian Data Tracker): who read it, from which organisation and system, when,
/// and why.
///
/// Every provider subsystem a node serves answers `GET /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/myPersonalDataUsage
/// ?userId=…` from the node's ``DataTracker``, but only to a client that an access right lets call that service
/// (deny by default: in practice the citizen portal's subsystem). The keys are the GovStack schema's, its spelling
/// `refrences` included; `serviceCode` and `purpose` are Civitas's additions, the service that gave the data and the
/// reason the client named (`X-Road-Issue`).
public struct PersonalDataUsage: Sendable, Hashable, Codable {
    /// The service code every provider subsystem answers, reserved like the metadata services'.
    public static let serviceCode = "myPersonalDataUsage"

    /// A reference to the message that carried the data.
    public struct Reference: Sendable, Hashable, Codable {
        /// The exchange's query id: names the request and response in both nodes' message logs.
        public var referenceID: String

        enum CodingKeys: String, CodingKey {
            case referenceID = "ReferenceID"
        }
    }

    /// The log record's id: the query id of the message.
    public var id: String
    /// The person at the client's side (`X-Road-UserId`), empty when the client named none.
    public var readerId: String
    /// The reading organisation, `INSTANCE/CLASS/MEMBER`.
    public var readerInstitutionId: String
    /// The reading organisation's registered name.
    public var readerInstitutionName: String
    /// The reading system: the client subsystem, `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
    public var readerApplicationName: String
    /// When the provider answered, RFC 3339 in UTC.
    public var searchDateTime: String
    /// The messages that carried the data.
    public var refrences: [Reference]
    /// The service that gave the data, `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    public var serviceCode: String
    /// Why, as the client said (a case or file number); absent when it said nothing.
    public var purpose: String?

    /// When the provider answered, parsed from ``searchDateTime``.
    public var date: Date? { try? Date(searchDateTime, strategy: .iso8601) }

    /// The answer of `provider`'s `myPersonalDataUsage` from `uses` (the tracker's, for one person): the uses of
    /// `provider`'s own services, or of the one service `serviceCode` names when it is given, newest first.
    static func answer(
        uses: [DataTracker.Use], provider: XRoadClientIdentifier, serviceCode: String?,
        configuration: GlobalConfiguration
    ) -> [UInt8] {
        let prefix = provider.description + "/"
        let names = Dictionary(configuration.members.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let entries = uses.filter { use in
            use.service.hasPrefix(prefix) && (serviceCode.map { use.service == prefix + $0 } ?? true)
        }.map { use -> PersonalDataUsage in
            let institution = (try? XRoadClientIdentifier(use.client))?.member.description ?? use.client
            return PersonalDataUsage(
                id: use.messageID, readerId: use.userID ?? "", readerInstitutionId: institution,
                readerInstitutionName: names[institution] ?? "", readerApplicationName: use.client,
                searchDateTime: use.at.formatted(.iso8601), refrences: [Reference(referenceID: use.messageID)],
                serviceCode: use.service, purpose: use.issue)
        }
        return MetadataServices.encode(entries)
    }
}
