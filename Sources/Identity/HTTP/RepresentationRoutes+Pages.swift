import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Trust
import Web

/// The browser pages of powers of attorney: the citizen's list and draft form (`/account/powers`), and each
/// power's public page.
extension RepresentationRoutes {
    func registerPages(in routes: RouteTable) {
        routes.get("/account/powers") { request, context in
            guard let (_, session) = try await sessions.current(request) else {
                return BrowserSessions.loginRedirect(returning: "/account/powers")
            }
            return try await self.listPage(session, request: request, context: context)
        }
        routes.post("/account/powers") { request, context in
            let person = try await self.signedIn(request)
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let fields = FormFields(String(buffer: body))
            let services =
                fields["all_services"] == "on"
                ? ["*"]
                : (fields["services"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            let principal = fields["principal"].flatMap { $0 == "self" || $0.isEmpty ? nil : $0 }
            let draft = try Self.draft(
                attorney: fields["attorney"] ?? "", services: services, from: fields["valid_from"] ?? "",
                until: fields["valid_until"] ?? "", principal: principal, by: person)
            let power = try await self.mapped {
                try await powers.draft(draft, by: person, requestID: context.requestID)
            }
            return Response(
                status: .seeOther, headers: [.location: "/powers-of-attorney/\(power.id)", .cacheControl: "no-store"])
        }
    }

    func listPage(_ session: Session, request: Request, context: CivitasRequestContext) async throws -> Response {
        let person = session.personalNumber
        let acting = try await powers.acting(session: session.id, actor: person)
        let canAct = try await !powers.principals(of: person).isEmpty
        let catalogue = renderer.catalogues[context.language]
        let today = powers.today
        func row(_ power: PowerOfAttorney) -> [String: Any] {
            [
                "id": power.id, "principal": power.document.principalName, "attorney": power.document.attorneyName,
                "services": power.document.services.codes.joined(separator: ", "),
                "until": power.document.validUntil.description,
                "state": catalogue["power_state_\(power.state(on: today).rawValue)"],
            ]
        }
        let entities = try await powers.entities.representations(of: person, on: today)
            .filter { $0.representative.right == .sole }
            .map {
                [
                    "value": "organisation:\($0.entity.registryCode)",
                    "name": "\($0.entity.nameLatin) \($0.entity.legalForm)",
                ]
            }
        let given = try await powers.given(by: person).map(row)
        let held = try await powers.held(by: person).map(row)
        let until = CalendarDate(daysSince1970: today.daysSince1970 + 365)
        return try renderer.page(
            "powers",
            values: [
                "given": given, "held": held, "no_given": given.isEmpty, "no_held": held.isEmpty,
                "entities": entities, "today": today.description, "until": until.description,
                "acting": acting?.name as Any, "can_act": canAct,
            ], request: request, context: context)
    }

    func powerPage(_ power: PowerOfAttorney, request: Request, context: CivitasRequestContext) async throws -> Response
    {
        let catalogue = renderer.catalogues[context.language]
        let today = powers.today
        let viewer = try await sessions.current(request)?.session.personalNumber
        let policy = try await viewer.asyncMap { try await powers.policy(for: $0) }
        let state = power.state(on: today)
        let document = power.document
        var values: [String: Any] = [
            "id": power.id, "valid": power.isInForce(on: today),
            "state": catalogue["power_state_\(state.rawValue)"],
            "principal": document.principalName, "principal_id": document.principal.identifier,
            "principal_kind": catalogue["power_principal_\(document.principal.kind)"],
            "signatory": document.signatoryName, "signatory_role": document.signatoryRole,
            "attorney": document.attorneyName, "attorney_id": document.attorney.rawValue,
            "services": document.services == .all
                ? catalogue["power_all_services"] : document.services.codes.joined(separator: ", "),
            "from": document.validFrom.description, "until": document.validUntil.description,
            "events": power.events.map {
                ["kind": catalogue["power_event_\($0.kind.rawValue)"], "at": Timestamp($0.at).description]
            },
            "url": document.verificationURL,
            // Scanned from paper or another screen, the code lands on this same verification page.
            "qrSVG":
                (try? QRCode(text: document.verificationURL, correction: .medium).svg(
                    moduleSize: 4, quietZone: 4, title: catalogue["power_qr_title"])) ?? "",
            "may_sign": (try? policy?.checkSign(power)) != nil,
            "may_accept": (try? policy?.checkAccept(power)) != nil,
            "may_revoke": (try? policy?.checkRevoke(power)) != nil,
            "may_renounce": (try? policy?.checkRenounce(power)) != nil,
        ]
        if let validation = power.validation, let signature = validation.signatures.first {
            values["signature"] = [
                "indication": validation.indication.rawValue, "signer": signature.signer?.subject ?? "",
                "issuer": signature.signer?.issuer ?? "", "format": signature.format,
                "qualified": signature.signer?.qualified ?? false,
                "validated": Timestamp(validation.validationTime).description,
            ]
        }
        return try renderer.page("power", values: values, request: request, context: context)
    }
}

extension Optional where Wrapped: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
