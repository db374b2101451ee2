import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
public import Web

/// The citizen's own page: who is signed in, their active sessions (sign out one, or everywhere), and the
/// relying parties they share data with (withdraw a consent).
public struct AccountRoutes: Sendable {
    private let sessions: BrowserSessions
    private let provider: OpenIDProvider
    private let population: PopulationRegister
    private let renderer: PageRenderer

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

    static let toLogin = Response(
        status: .seeOther, headers: [.location: "/login?return=%2Faccount", .cacheControl: "no-store"])
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
}
