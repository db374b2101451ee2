import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
public import Web

/// The citizen's own page: who is signed in, their active sessions (sign out one, or everywhere), the relying
/// parties they share data with (withdraw a consent), and, on a page of its own, which organisations used their
/// data through the data exchange.
public struct AccountRoutes: Sendable {
    private let sessions: BrowserSessions
    private let provider: OpenIDProvider
    private let population: PopulationRegister
    private let renderer: PageRenderer
    /// Where `/account/data-usage` learns who used the person's data; without one the page says it is not
    /// connected to the data exchange.
    public var dataUsage: (any PersonalDataUsageSource)?

    /// Creates the routes.
    public init(
        sessions: BrowserSessions, provider: OpenIDProvider, population: PopulationRegister, renderer: PageRenderer
    ) {
        self.sessions = sessions
        self.provider = provider
        self.population = population
        self.renderer = renderer
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.get("/account") { request, context in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            return try await self.page(session, request: request, context: context)
        }
        routes.get("/account/data-usage") { request, context in
            guard let (_, session) = try await sessions.current(request) else {
                return BrowserSessions.loginRedirect(returning: "/account/data-usage")
            }
            return try await self.dataUsagePage(session, request: request, context: context)
        }
        routes.post("/account/sessions/{id}/end") { request, context in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            try await sessions.store.end(id: context.parameters.get("id") ?? "", of: session.personalNumber)
            return Self.back
        }
        routes.post("/account/sessions/end-all") { request, _ in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            try await sessions.store.endAll(of: session.personalNumber)
            return try await sessions.signOut(request)
        }
        routes.post("/account/consents/{client}/withdraw") { request, context in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            do {
                try await provider.withdrawConsent(
                    of: session.personalNumber, from: context.parameters.get("client") ?? "")
            } catch let error as IdentityError where error.code == .notFound {
                throw HTTPProblem.notFound("You have not given this service a consent.")
            }
            return Self.back
        }
    }

    static let toLogin = BrowserSessions.loginRedirect(returning: "/account")
    static let back = Response(status: .seeOther, headers: [.location: "/account", .cacheControl: "no-store"])

    private func page(_ current: Session, request: Request, context: CivitasRequestContext) async throws -> Response {
        let person = try await population.person(current.personalNumber)
        let name: String =
            switch context.language {
            case .georgian: person.map { "\($0.name.given) \($0.name.family)" } ?? ""
            case .korean:
                person.flatMap(\.name.hangul) ?? person.map { "\($0.name.givenLatin) \($0.name.familyLatin)" } ?? ""
            case .english: person.map { "\($0.name.givenLatin) \($0.name.familyLatin)" } ?? ""
            }
        let catalogue = renderer.catalogues[context.language]
        let sessionRows = try await sessions.store.active(of: current.personalNumber).map { session -> [String: Any] in
            [
                "id": session.id, "agent": session.userAgent ?? "—", "since": Timestamp(session.createdAt).description,
                "seen": Timestamp(session.lastSeenAt).description, "current": session.id == current.id,
            ]
        }
        let consentRows = try await provider.consents(of: current.personalNumber).map { consent -> [String: Any] in
            [
                "client": consent.clientID, "name": consent.clientName,
                "scopes": consent.scopes.map { catalogue["consent_scope_\($0)"] }.joined(separator: "; "),
                "since": Timestamp(consent.grantedAt).description,
            ]
        }
        let historyRows = try await Self.sharingHistory(of: current.personalNumber, provider: provider, catalogue)
        var response = try renderer.page(
            "account",
            values: [
                "name": name, "number": current.personalNumber.rawValue,
                "level": catalogue["account_level_\(current.level.rawValue)"], "sessions": sessionRows,
                "consents": consentRows, "no_consents": consentRows.isEmpty, "history": historyRows,
                "no_history": historyRows.isEmpty,
            ], request: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Who used the person's data: every provider's data tracker, through the exchange. A provider that did not
    /// answer is named, so that the list never looks whole when it is not.
    private func dataUsagePage(
        _ current: Session, request: Request, context: CivitasRequestContext
    ) async throws -> Response {
        var values: [String: Any] = ["connected": dataUsage != nil]
        if let dataUsage {
            do {
                let list = try await dataUsage.dataUsage(of: current.personalNumber)
                values["uses"] = list.uses.map { use -> [String: Any] in
                    [
                        "organisation": use.organisation, "system": use.system, "officer": use.officer ?? "",
                        "has_officer": use.officer?.isEmpty == false, "service": use.service,
                        "purpose": use.purpose ?? "", "has_purpose": use.purpose?.isEmpty == false,
                        "at": Timestamp(use.at).description, "reference": use.reference,
                    ]
                }
                values["no_uses"] = list.uses.isEmpty
                values["unanswered"] = list.unanswered
                values["partial"] = !list.unanswered.isEmpty
            } catch {
                values["failed"] = true
            }
        }
        var response = try renderer.page("account_data_usage", values: values, request: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
