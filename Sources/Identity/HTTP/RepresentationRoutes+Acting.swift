import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Web

/// After login: whom the person acts for on Civitas's own pages (themself, an entity they solely represent, or
/// the principal of a power of attorney in force). Skipped when there is no one to choose.
extension RepresentationRoutes {
    func registerActing(in routes: RouteTable) {
        routes.get("/account/acting") { request, context in
            let target = WebRoutes.safeReturnPath(request.uri.queryParameters["return"].map(String.init))
            guard let (_, session) = try await sessions.current(request) else {
                return Response(status: .seeOther, headers: [.location: "/login", .cacheControl: "no-store"])
            }
            let choices = try await powers.principals(of: session.personalNumber)
            guard !choices.isEmpty else {
                return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
            }
            let catalogue = renderer.catalogues[context.language]
            let current = try await powers.acting(session: session.id, actor: session.personalNumber)
            let rows = choices.map { choice -> [String: Any] in
                [
                    "value": choice.principal.description, "name": choice.name,
                    "how": choice.power == nil ? catalogue["act_by_representation"] : catalogue["act_by_power"],
                    "checked": current?.principal == choice.principal,
                ]
            }
            return try renderer.page(
                "acting", values: ["return": target, "choices": rows, "myself": current == nil], request: request,
                context: context)
        }
        routes.post("/account/acting") { request, context in
            guard let (_, session) = try await sessions.current(request) else {
                throw HTTPProblem(
                    .unauthorized, code: "not-signed-in", detail: "Sign in first.", pageKey: "power_sign_in")
            }
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let fields = FormFields(String(buffer: body))
            let choice = fields["principal"] ?? "self"
            try await self.mapped {
                try await powers.act(
                    for: choice == "self" ? nil : try Principal(choice), session: session.id,
                    actor: session.personalNumber, until: session.expiresAt, requestID: context.requestID)
            }
            let target = WebRoutes.safeReturnPath(fields["return"])
            return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        }
    }
}
