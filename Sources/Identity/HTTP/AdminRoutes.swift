import CivitasCore
import Foundation
public import HTTPTypes
import Hummingbird
public import Web

/// The officials' start page (`/admin`) and the service hall: look a person up by personal number and open their
/// account with a one-time activation code, shown once. Every route goes through ``OfficialPolicy``.
public struct AdminRoutes: Sendable {
    private let policy: OfficialPolicy
    private let accounts: AccountStore
    private let population: PopulationRegister
    private let renderer: PageRenderer

    /// Creates the routes.
    public init(policy: OfficialPolicy, accounts: AccountStore, population: PopulationRegister, renderer: PageRenderer)
    {
        self.policy = policy
        self.accounts = accounts
        self.population = population
        self.renderer = renderer
    }

    /// The paths and the role each needs (`nil`: any official role), for the tests that try them all.
    public static let paths: [(method: HTTPRequest.Method, path: String, role: OfficialRole?)] = [
        (.get, "/admin", nil), (.get, "/admin/service-hall", .serviceHall),
        (.post, "/admin/service-hall/accounts", .serviceHall),
    ]

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        let policy = self.policy
        routes.get("/admin") { request, context in
            switch try await policy.decide(request, role: nil) {
            case .login(let response): return response
            case .allowed(let official):
                return try renderer.page(
                    "admin",
                    values: [
                        "identity_admin": official.roles.contains(.identityAdmin),
                        "service_hall": official.roles.contains(.serviceHall),
                    ], request: request, context: context)
            }
        }
        routes.get("/admin/service-hall") { request, context in
            switch try await policy.decide(request, role: .serviceHall) {
            case .login(let response): return response
            case .allowed:
                let number = request.uri.queryParameters["personal_number"].map(String.init)
                return try await self.hall(number: number, request: request, context: context)
            }
        }
        routes.post("/admin/service-hall/accounts") { request, context in
            switch try await policy.decide(request, role: .serviceHall) {
            case .login(let response): return response
            case .allowed(let official):
                var request = request
                let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
                let number = fields["personal_number"] ?? ""
                let username = fields["username"] ?? ""
                guard let person = try? PersonalNumber(number) else {
                    return try await self.hall(
                        number: number, status: .badRequest, request: request, context: context)
                }
                do {
                    let code = try await accounts.createAtServiceHall(
                        for: person, username: username, actor: official.actor)
                    return try renderer.page(
                        "admin_once",
                        values: [
                            "heading_key_code": true, "subject": AccountStore.normalizedUsername(username) ?? username,
                            "value": code, "back": "/admin/service-hall",
                        ], request: request, context: context)
                } catch let error as IdentityError
                    where error.code == .invalidRecord || error.code == .alreadyRegistered
                {
                    return try await self.hall(
                        number: number, username: username, usernameError: true, status: .badRequest,
                        request: request, context: context)
                } catch let error as IdentityError where error.code == .notFound {
                    return try await self.hall(number: number, status: .notFound, request: request, context: context)
                }
            }
        }
    }

    /// The service hall page: the look-up form, and the person found with the account form.
    private func hall(
        number: String?, username: String = "", usernameError: Bool = false, status: HTTPResponse.Status = .ok,
        request: Request, context: CivitasRequestContext
    ) async throws -> Response {
        let catalogue = renderer.catalogues[context.language]
        var values: [String: Any] = ["number": number ?? "", "username": username]
        var status = status
        if let number, !number.isEmpty {
            if let personalNumber = try? PersonalNumber(number.trimmingCharacters(in: .whitespaces)) {
                if let person = try await population.person(personalNumber), person.status == .alive {
                    let name = person.name
                    let found: [String: Any] = [
                        "number": personalNumber.rawValue,
                        "name": context.language == .georgian
                            ? "\(name.given) \(name.family)" : "\(name.givenLatin) \(name.familyLatin)",
                        "born": person.birthDate.description,
                        "has_account": try await accounts.account(of: personalNumber) != nil,
                    ]
                    values["person"] = found
                    if usernameError { values["username_error"] = catalogue["admin_hall_username_error"] }
                } else {
                    values["number_error"] = catalogue["admin_hall_not_found"]
                    if status == .ok { status = .notFound }
                }
            } else {
                values["number_error"] = catalogue["admin_hall_invalid_number"]
                if status == .ok { status = .badRequest }
            }
        }
        return try renderer.page(
            "admin_service_hall", status: status, values: values, request: request, context: context)
    }
}
