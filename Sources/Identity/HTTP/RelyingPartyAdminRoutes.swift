import CivitasCore
import Foundation
public import HTTPTypes
import Hummingbird
import Logging
public import Web

/// The relying-party registry in the browser, for officials with the `identity-admin` role: list, register, change,
/// disable, rotate the secret. Every route goes through ``OfficialPolicy``; every form is CSRF-protected by the
/// route table, and a refused form changes nothing and shows each error next to its field.
public struct RelyingPartyAdminRoutes: Sendable {
    private let policy: OfficialPolicy
    private let registry: RelyingPartyRegistry
    private let renderer: PageRenderer

    /// Creates the routes.
    public init(policy: OfficialPolicy, registry: RelyingPartyRegistry, renderer: PageRenderer) {
        self.policy = policy
        self.registry = registry
        self.renderer = renderer
    }

    /// The paths, for the tests that try every admin route as the wrong person.
    public static let paths: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/admin/relying-parties"), (.get, "/admin/relying-parties/new"), (.post, "/admin/relying-parties"),
        (.get, "/admin/relying-parties/{id}"), (.post, "/admin/relying-parties/{id}"),
        (.post, "/admin/relying-parties/{id}/disable"), (.post, "/admin/relying-parties/{id}/secret"),
    ]

    private typealias Handler = @Sendable (Request, CivitasRequestContext, Official) async throws -> Response

    private func route(_ routes: RouteTable, _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler)
    {
        let policy = self.policy
        routes.add(method, path) { request, context in
            switch try await policy.decide(request, role: .identityAdmin) {
            case .login(let response): return response
            case .allowed(let official):
                var context = context
                context.logger[metadataKey: "official"] = "\(official.personalNumber.rawValue)"
                return try await handler(request, context, official)
            }
        }
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        route(routes, .get, "/admin/relying-parties") { request, context, _ in
            try await self.list(request, context: context)
        }
        route(routes, .get, "/admin/relying-parties/new") { request, context, _ in
            try self.form(.blank, editing: false, request: request, context: context)
        }
        route(routes, .post, "/admin/relying-parties") { request, context, official in
            var request = request
            let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            var form = RelyingPartyForm(fields)
            guard let parsed = form.party() else {
                return try self.form(form, editing: false, status: .badRequest, request: request, context: context)
            }
            let (party, jwks) = parsed
            let secret: String?
            do {
                secret = try await registry.register(party, jwks: jwks, actor: official.actor)
            } catch let error as IdentityError where error.code == .alreadyRegistered {
                form.errors[.clientID] = "taken"
                return try self.form(form, editing: false, status: .conflict, request: request, context: context)
            }
            guard let secret else { return Self.back }
            return try self.secret(secret, of: party.clientID, request: request, context: context)
        }
        route(routes, .get, "/admin/relying-parties/{id}") { request, context, _ in
            guard let record = try await registry.record(context.parameters.get("id") ?? "") else {
                throw HTTPProblem.notFound("No relying party has this client ID.")
            }
            return try self.form(
                RelyingPartyForm(record), editing: true, active: record.isActive, request: request, context: context)
        }
        route(routes, .post, "/admin/relying-parties/{id}") { request, context, official in
            let id = context.parameters.get("id") ?? ""
            guard let record = try await registry.record(id) else {
                throw HTTPProblem.notFound("No relying party has this client ID.")
            }
            var request = request
            let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            var form = RelyingPartyForm(fields, clientID: record.party.clientID)
            guard let parsed = form.party() else {
                return try self.form(form, editing: true, status: .badRequest, request: request, context: context)
            }
            let (party, jwks) = parsed
            let secret = try await Self.mapped { try await registry.update(party, jwks: jwks, actor: official.actor) }
            guard let secret else { return Self.back }
            return try self.secret(secret, of: party.clientID, request: request, context: context)
        }
        route(routes, .post, "/admin/relying-parties/{id}/disable") { _, context, official in
            try await Self.mapped {
                try await registry.disable(context.parameters.get("id") ?? "", actor: official.actor)
            }
            return Self.back
        }
        route(routes, .post, "/admin/relying-parties/{id}/secret") { request, context, official in
            let id = context.parameters.get("id") ?? ""
            let secret = try await Self.mapped { try await registry.rotateSecret(of: id, actor: official.actor) }
            return try self.secret(secret, of: id, request: request, context: context)
        }
    }

    static let back = Response(
        status: .seeOther, headers: [.location: "/admin/relying-parties", .cacheControl: "no-store"])

    /// Runs `body`, turning the registry's refusals into problems (a page in the official's language).
    static func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IdentityError {
            throw error.problem()
        }
    }

    private func list(_ request: Request, context: CivitasRequestContext) async throws -> Response {
        let catalogue = renderer.catalogues[context.language]
        let rows = try await registry.records().map { record -> [String: Any] in
            let party = record.party
            return [
                "id": party.clientID, "name": party.name, "method": party.authentication.rawValue,
                "alg": party.idTokenSigningAlgorithm.rawValue,
                "status": catalogue[record.isActive ? "admin_rp_active" : "admin_rp_disabled"],
                "active": record.isActive, "secret": record.isActive && party.usesSecret,
                "path": Self.escapedPath(party.clientID),
            ]
        }
        return try renderer.page(
            "admin_parties", values: ["parties": rows, "none": rows.isEmpty], request: request, context: context)
    }

    private func form(
        _ form: RelyingPartyForm, editing: Bool, active: Bool = true, status: HTTPResponse.Status = .ok,
        request: Request, context: CivitasRequestContext
    ) throws -> Response {
        let catalogue = renderer.catalogues[context.language]
        var values: [String: Any] = ["editing": editing, "creating": !editing, "active": active]
        var summary: [[String: Any]] = []
        for field in RelyingPartyField.allCases {
            let key = Self.key(field)
            values["value_\(key)"] = form.values[field] ?? ""
            if let error = form.errors[field] {
                let text = catalogue[error == "taken" ? "admin_rp_error_taken" : "admin_rp_error_\(key)"]
                values["error_\(key)"] = text
                summary.append(["field": key, "text": text])
            }
        }
        values["errors"] = summary
        values["has_errors"] = !summary.isEmpty
        let id = form.values[.clientID] ?? ""
        values["action"] = editing ? "/admin/relying-parties/\(Self.escapedPath(id))" : "/admin/relying-parties"
        values["methods"] = ClientAuthentication.allCases.map { method -> [String: Any] in
            ["value": method.rawValue, "selected": method.rawValue == form.values[.authentication]]
        }
        values["levels"] = RelyingPartyForm.levels.map { entry -> [String: Any] in
            [
                "value": entry.name, "label": catalogue["account_level_\(entry.level.rawValue)"],
                "selected": entry.name == form.values[.requiredLevel],
            ]
        }
        values["algorithms"] = SigningKeys.algorithms.map { algorithm -> [String: Any] in
            ["value": algorithm.rawValue, "selected": algorithm.rawValue == form.values[.idTokenSigningAlgorithm]]
        }
        return try renderer.page("admin_party_form", status: status, values: values, request: request, context: context)
    }

    private func secret(
        _ secret: String, of clientID: String, request: Request, context: CivitasRequestContext
    ) throws
        -> Response
    {
        try renderer.page(
            "admin_once",
            values: [
                "heading_key_secret": true, "subject": clientID, "value": secret, "back": "/admin/relying-parties",
            ], request: request, context: context)
    }

    /// The template's name for a field (`client_id`, `redirect_uris`, …).
    static func key(_ field: RelyingPartyField) -> String { field.rawValue }

    /// A client id as one path segment.
    static func escapedPath(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? id
    }
}
