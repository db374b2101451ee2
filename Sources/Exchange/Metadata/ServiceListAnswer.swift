import CivitasCore

/// The `listMethods` and `allowedMethods` answer, GovStack's `restServiceDetailsListType`:
/// `{"member":[{"objectType":"SERVICE",...,"endpointList":{"member":[{"method":...,"path":...}]}}]}`.
struct ServiceListAnswer: Encodable {
    /// One service (`restServiceDetailsType`).
    struct Service: Encodable {
        let objectType = "SERVICE"
        /// `OPENAPI` when the service has a description, `REST` otherwise (X-Road's two REST service types).
        let serviceType: String
        let instanceId: String
        let memberClass: String
        let memberCode: String
        let applicationCode: String?
        let serviceCode: String
        let serviceVersion: String?
        let endpointList: EndpointList

        init(_ service: ProvidedService, _ endpoints: [ServiceEndpoint]) {
            let provider = service.id.provider
            serviceType = service.openAPI == nil ? "REST" : "OPENAPI"
            instanceId = provider.instance
            memberClass = provider.memberClass
            memberCode = provider.memberCode
            applicationCode = provider.subsystemCode
            serviceCode = service.id.serviceCode
            serviceVersion = service.id.serviceVersion
            endpointList = EndpointList(member: endpoints.map { Endpoint(method: $0.method, path: $0.path) })
        }
    }

    /// A service's endpoints, wrapped in `member` as the schema has it.
    struct EndpointList: Encodable {
        let member: [Endpoint]
    }

    /// One endpoint (`endpoint`).
    struct Endpoint: Encodable {
        let method: String
        let path: String
    }

    let member: [Service]
}
