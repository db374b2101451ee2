public import CivitasCore
import Foundation

/// The metadata services of an exchange node (X-Road's REST metaservices, the GovStack Information Mediator's
/// directory services): who is in the instance, what a provider offers, what a client may call, and a service's
/// OpenAPI description. The node's routes call these with what they parsed and checked at the door; these only
/// build the answers.
///
/// `listClients` is answered by the client's own node from the global configuration; the other three are X-Road
/// services of the provider subsystem (`/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/listMethods`), answered by the
/// provider's node from the services it provides. As in X-Road, `listMethods` and `getOpenAPI` answer any client
/// of the instance, and `allowedMethods` only lists what the access rules let the asking client call.
///
/// **Answer shape.** The JSON follows the GovStack Directory Services API's response schemas
/// (`restClientDetailsListType`, `restServiceDetailsListType`): camelCase keys, the list under `member` in every
/// answer, `objectType` `MEMBER`, `APPLICATION` (a subsystem) or `SERVICE`, endpoints under
/// `endpointList.member`. X-Road's security server writes the same information with snake_case keys
/// (`member_class`, `xroad_instance`, `subsystem_code`, `object_type` `SUBSYSTEM`), services under `service` and a
/// plain `endpoint_list` array (PR-META Annex C, PR-MREST Annex B); the two differ, and Civitas follows GovStack
/// (decision 0024). Keys are sorted and `/` is not escaped, so an answer is the same bytes every time.
public enum MetadataServices {
    /// The service codes of the metadata services: X-Road reserves them, so they never name a provider's own
    /// service, and the listings leave them out (PR-MREST §4: "The response SHALL NOT contain names of the
    /// metainfo services").
    public static let serviceCodes: Set<String> = ["listClients", "listMethods", "allowedMethods", "getOpenAPI"]

    /// The content type of the JSON answers.
    public static let jsonContentType = "application/json; charset=utf-8"

    /// Every member and subsystem of `configuration`, or only those of `instance` when one is given (an instance
    /// the configuration does not hold gives an empty list), sorted by identifier with each member before its
    /// subsystems.
    ///
    /// A subsystem carries its member's name, as in X-Road (the registry keeps no subsystem names). An identifier
    /// that does not parse is left out rather than half-printed; the registry never publishes one.
    ///
    /// With `offering`, a service code (a Civitas extension, `listClients?serviceCode=…`), only the subsystems the
    /// registry lists a service of that code for, without their members: the providers a client may ask it of.
    public static func listClients(
        _ configuration: GlobalConfiguration, instance: String? = nil, offering: String? = nil
    ) -> [UInt8] {
        var clients: [(id: XRoadClientIdentifier, name: String)] = []
        for member in configuration.members {
            guard let memberID = try? XRoadClientIdentifier(member.id), !memberID.isSubsystem else { continue }
            clients.append((memberID, member.name))
            for subsystem in member.subsystems {
                guard let subsystemID = try? XRoadClientIdentifier(subsystem), subsystemID.member == memberID,
                    subsystemID.isSubsystem
                else { continue }
                clients.append((subsystemID, member.name))
            }
        }
        let answer = ClientListAnswer(
            member:
                clients
                .filter { instance == nil || $0.id.instance == instance }
                .filter { client in
                    offering.map { code in
                        client.id.isSubsystem
                            && configuration.services.contains { $0.id == "\(client.id)/\(code)" }
                    } ?? true
                }
                .sorted { sortKey($0.id).lexicographicallyPrecedes(sortKey($1.id)) }
                .map { ClientListAnswer.Client(id: .init($0.id), name: $0.name) })
        return encode(answer)
    }

    /// Every service `provider` offers among `services` (the node's locally provided services; others are
    /// ignored), by service code, each with its endpoints (``endpoints(of:)``): `serviceType` is `OPENAPI` when
    /// the service has a description and `REST` when it has none.
    public static func listMethods(provider: XRoadClientIdentifier, services: [ProvidedService]) -> [UInt8] {
        encode(
            ServiceListAnswer(
                member: provided(by: provider, services).map { ServiceListAnswer.Service($0, endpoints(of: $0)) }))
    }

    /// What `client` may call of what `provider` offers, by `configuration`'s access rules (deny by default): a
    /// service appears only when at least one rule lets `client` call it, with the endpoints the rules allow.
    ///
    /// - A rule with neither a method nor a path allows all of the service's endpoints.
    /// - A rule with both is itself the endpoint (its method and path pattern), whatever the description lists.
    /// - A rule with only a method allows the service's endpoints of that method; one with only a path pattern,
    ///   those whose path the pattern covers (a `*` endpoint segment is covered by `*` or `**`, not by a literal).
    ///
    /// A service without a readable description has the one endpoint ``ServiceEndpoint/any``, so there a partial
    /// rule gives its own method with `/**`, or `*` with its own path.
    public static func allowedMethods(
        provider: XRoadClientIdentifier, client: XRoadClientIdentifier, configuration: GlobalConfiguration,
        services: [ProvidedService]
    ) -> [UInt8] {
        let clientID = client.description
        var answers: [ServiceListAnswer.Service] = []
        for service in provided(by: provider, services) {
            let serviceID = service.id.description
            let rules = configuration.accessRights.filter { $0.client == clientID && $0.service == serviceID }
            guard !rules.isEmpty else { continue }
            let offered = endpoints(of: service)
            var allowed = Set<ServiceEndpoint>()
            for rule in rules {
                allowed.formUnion(endpoints(offered, allowedBy: rule))
            }
            answers.append(ServiceListAnswer.Service(service, allowed.sorted()))
        }
        return encode(ServiceListAnswer(member: answers))
    }

    /// The OpenAPI description of `provider`'s service `serviceCode`, exactly as the operator stored it, with its
    /// content type: `application/json` for JSON and `text/yaml` for YAML (the media types the GovStack and X-Road
    /// `getOpenAPI` definitions name), both with `charset=utf-8`.
    ///
    /// The text is served as stored: unlike X-Road, which rewrites the `servers` URLs, Civitas does not edit it, so
    /// an operator must not put the backend's internal address in a description.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` when `serviceCode` is empty or breaks the X-Road identifier
    ///   rules (the node answers `Client.BadRequest`); `.notFound` when `provider` offers no such service here
    ///   (`Server.ServerProxy.UnknownService`); `.noServiceDescription` when the service has no description
    ///   (`Server.ServerProxy.InternalError`, as X-Road answers it).
    public static func openAPI(
        serviceCode: String, provider: XRoadClientIdentifier, services: [ProvidedService]
    ) throws(ExchangeError) -> (contentType: String, body: [UInt8]) {
        do throws(IdentifierError) {
            try XRoadIdentifierPart.validate(serviceCode, "the serviceCode parameter")
        } catch {
            throw ExchangeError(.invalidRecord, error.message)
        }
        guard let service = provided(by: provider, services).first(where: { $0.id.serviceCode == serviceCode }) else {
            throw ExchangeError(.notFound, "\(provider) provides no service \(serviceCode) on this node")
        }
        guard let description = service.openAPI else {
            throw ExchangeError(.noServiceDescription, "the service \(service.id) has no OpenAPI description")
        }
        let contentType =
            switch OpenAPIEndpoints.format(of: description) {
            case .json: "application/json; charset=utf-8"
            case .yaml: "text/yaml; charset=utf-8"
            }
        return (contentType, Array(description.utf8))
    }

    /// The endpoints of `service`: its OpenAPI description's operations, or ``ServiceEndpoint/any`` when it has no
    /// description or one that ``OpenAPIEndpoints/read(_:)`` cannot read. A node should read each description when
    /// it loads its services and refuse one that does not read, so that this fallback is never needed.
    public static func endpoints(of service: ProvidedService) -> [ServiceEndpoint] {
        guard let description = service.openAPI, let endpoints = try? OpenAPIEndpoints.read(description) else {
            return [.any]
        }
        return endpoints
    }

    // MARK: - Helpers

    /// `provider`'s services among `services`, by service code, without the metadata services' codes.
    static func provided(by provider: XRoadClientIdentifier, _ services: [ProvidedService]) -> [ProvidedService] {
        services
            .filter { $0.id.provider == provider && !serviceCodes.contains($0.id.serviceCode) }
            .sorted { $0.id.serviceCode < $1.id.serviceCode }
    }

    /// The endpoints `rule` allows among a service's `offered` ones.
    static func endpoints(
        _ offered: [ServiceEndpoint], allowedBy rule: GlobalConfiguration.AccessRule
    ) -> [ServiceEndpoint] {
        switch (rule.method, rule.path) {
        case (nil, nil):
            return offered
        case (let method?, let path?):
            return [ServiceEndpoint(method: method, path: path)]
        case (let method?, nil):
            return offered.compactMap { endpoint in
                if endpoint.method == ServiceEndpoint.anyMethod {
                    return ServiceEndpoint(method: method, path: endpoint.path)
                }
                return endpoint.method == method.uppercased() ? endpoint : nil
            }
        case (nil, let pattern?):
            return offered.compactMap { endpoint in
                if endpoint.path == ServiceEndpoint.anyPath {
                    return ServiceEndpoint(method: endpoint.method, path: pattern)
                }
                return endpoint.isCovered(byPathPattern: pattern) ? endpoint : nil
            }
        }
    }

    private static func sortKey(_ id: XRoadClientIdentifier) -> [String] {
        [id.instance, id.memberClass, id.memberCode] + (id.subsystemCode.map { [$0] } ?? [])
    }

    static func encode(_ answer: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, arrays and optionals only: encoding cannot fail.
        return [UInt8](try! encoder.encode(answer))
    }
}
