import CivitasCore

/// The `listClients` answer, GovStack's `restClientDetailsListType`: `{"member":[{"id":{...},"name":...}]}`.
struct ClientListAnswer: Encodable {
    /// One member or subsystem (`restClientDetailsType`).
    struct Client: Encodable {
        let id: Identifier
        let name: String
    }

    /// A client identifier with its object type: `MEMBER`, or `APPLICATION` for a subsystem (GovStack's name for
    /// X-Road's `SUBSYSTEM`).
    struct Identifier: Encodable {
        let objectType: String
        let instanceId: String
        let memberClass: String
        let memberCode: String
        let applicationCode: String?

        init(_ id: XRoadClientIdentifier) {
            objectType = id.isSubsystem ? "APPLICATION" : "MEMBER"
            instanceId = id.instance
            memberClass = id.memberClass
            memberCode = id.memberCode
            applicationCode = id.subsystemCode
        }
    }

    let member: [Client]
}
