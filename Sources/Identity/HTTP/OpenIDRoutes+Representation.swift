import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Web

/// The page after login where a person who can act for others chooses whom they act for at a relying party.
extension OpenIDRoutes {
    func registerActing(in routes: RouteTable) {
        routes.post("/oidc/authorize/act") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let fields = FormFields(String(buffer: body))
            guard let id = fields["request"], let pending = try await provider.pending(id) else { throw Self.expired }
            guard let (_, session) = try await sessions.current(request) else {
                return Response(
                    status: .seeOther,
                    headers: [.location: "/oidc/authorize/resume?request=\(pending.id)", .cacheControl: "no-store"])
            }
            let choice = fields["principal"] ?? "self"
            let principal: Principal?
            do {
                principal = choice == "self" ? nil : try Principal(choice)
                try await provider.chooseActing(
                    pending, session: session, principal: principal, requestID: context.requestID)
            } catch let error as IdentityError {
                throw error.problem(pageKey: "act_refused")
            }
            return Response(
                status: .seeOther,
                headers: [.location: "/oidc/authorize/resume?request=\(pending.id)", .cacheControl: "no-store"])
        }
    }

    func actingPage(
        _ pending: OpenIDProvider.Pending, choices: [OpenIDProvider.ActingChoice], request: Request,
        context: CivitasRequestContext
    ) throws -> Response {
        let catalogue = renderer.catalogues[context.language]
        let rows = choices.map { choice -> [String: Any] in
            [
                "value": choice.principal.description, "name": choice.name,
                "how": choice.power == nil ? catalogue["act_by_representation"] : catalogue["act_by_power"],
            ]
        }
        var response = try renderer.page(
            "act_as", values: ["party": pending.party.name, "request": pending.id, "choices": rows],
            request: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
