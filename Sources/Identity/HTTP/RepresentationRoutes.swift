import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Trust
public import Web

/// Powers of attorney over HTTP: drafting, signing, accepting, revoking and renouncing (by the parties, signed
/// in), and verification by anyone: `GET /powers-of-attorney/{id}` as a page or JSON, the signed document and its
/// detached signature.
///
/// Every route asks ``RepresentationPolicy`` (through ``PowersOfAttorney``); refusals are problem details, or
/// a page in the visitor's language.
public struct RepresentationRoutes: Sendable {
    let powers: PowersOfAttorney
    let sessions: BrowserSessions
    let population: PopulationRegister
    let renderer: PageRenderer

    /// Creates the routes.
    public init(
        powers: PowersOfAttorney, sessions: BrowserSessions, population: PopulationRegister, renderer: PageRenderer
    ) {
        self.powers = powers
        self.sessions = sessions
        self.population = population
        self.renderer = renderer
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.get("/api/powers-of-attorney") { request, _ in
            let person = try await self.signedIn(request)
            let given = try await powers.given(by: person).map { self.summary($0) }
            let held = try await powers.held(by: person).map { self.summary($0) }
            return try Self.json(["given": given, "held": held])
        }
        routes.post("/api/powers-of-attorney") { request, context in
            let person = try await self.signedIn(request)
            var request = request
            let body = try await request.collectBody(upTo: 16 * 1024)
            let draft = try Self.draft(fromJSON: Array(body.readableBytesView), by: person)
            let power = try await self.mapped {
                try await powers.draft(draft, by: person, requestID: context.requestID)
            }
            return try Self.json(self.summary(power), status: .created, location: "/powers-of-attorney/\(power.id)")
        }
        routes.get("/powers-of-attorney/{id}") { request, context in
            let power = try await self.visible(context.parameters.get("id") ?? "", request: request)
            if Self.wantsJSON(request) { return try Self.json(self.summary(power)) }
            return try await self.powerPage(power, request: request, context: context)
        }
        routes.get("/powers-of-attorney/{id}/document") { request, context in
            let power = try await self.visible(context.parameters.get("id") ?? "", request: request)
            return Self.download(
                power.document.encoded, type: "application/json", name: "power-of-attorney-\(power.id).json")
        }
        routes.get("/powers-of-attorney/{id}/signature") { request, context in
            let power = try await self.visible(context.parameters.get("id") ?? "", request: request)
            guard let signature = power.signature else {
                throw HTTPProblem.notFound("This power of attorney is not signed yet.")
            }
            return Self.download(
                signature, type: "application/pkcs7-signature", name: "power-of-attorney-\(power.id).p7s")
        }
        // The upload checks its own CSRF token: a browser's file upload is multipart, whose token is in the body.
        routes.add(.post, "/powers-of-attorney/{id}/signature", csrf: .exempt) { request, context in
            let id = context.parameters.get("id") ?? ""
            let (signature, request) = try await self.uploadedSignature(request, context: context)
            let person = try await self.signedIn(request)
            let power = try await self.mapped {
                try await powers.sign(id, signature: signature, by: person, requestID: context.requestID)
            }
            return try self.answer(power, request: request)
        }
        for verb in ["accept", "revoke", "renounce"] {
            routes.post("/powers-of-attorney/{id}/\(verb)") { request, context in
                let person = try await self.signedIn(request)
                let id = context.parameters.get("id") ?? ""
                let power = try await self.mapped {
                    switch verb {
                    case "accept": try await powers.accept(id, by: person, requestID: context.requestID)
                    case "revoke": try await powers.revoke(id, by: person, requestID: context.requestID)
                    default: try await powers.renounce(id, by: person, requestID: context.requestID)
                    }
                }
                return try self.answer(power, request: request)
            }
        }
        registerPages(in: routes)
        registerActing(in: routes)
    }

    /// The signed-in person, or 401.
    func signedIn(_ request: Request) async throws -> PersonalNumber {
        guard let (_, session) = try await sessions.current(request) else {
            throw HTTPProblem(
                .unauthorized, code: "not-signed-in", detail: "Sign in first.", pageKey: "power_sign_in")
        }
        return session.personalNumber
    }

    /// The power, when the visitor may see it; 404 otherwise (a draft is not published, and says so to no one).
    func visible(_ id: String, request: Request) async throws -> PowerOfAttorney {
        let viewer = try await sessions.current(request)?.session.personalNumber
        guard let power = try await powers.power(id),
            RepresentationPolicy.maySee(power, viewer: viewer, representations: [])
        else { throw HTTPProblem.notFound("No power of attorney is published at this address.") }
        return power
    }

    /// Runs a domain call, turning its refusals into problems.
    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IdentityError {
            throw error.problem(pageKey: "power_refused")
        }
    }

    /// JSON for API clients, back to the power's page for browsers.
    func answer(_ power: PowerOfAttorney, request: Request) throws -> Response {
        if Self.wantsJSON(request) || request.headers[.contentType]?.hasPrefix("application/json") == true {
            return try Self.json(summary(power))
        }
        return Response(
            status: .seeOther, headers: [.location: "/powers-of-attorney/\(power.id)", .cacheControl: "no-store"])
    }

    /// The signature in the request: a raw DER body, or the `signature` field of a multipart form whose `_csrf`
    /// field matches the cookie.
    func uploadedSignature(
        _ request: Request, context: CivitasRequestContext
    ) async throws -> ([UInt8], Request) {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("multipart/form-data") else {
            var checked = try await CSRFProtection.check(request, context: context)
            let body = try await checked.collectBody(upTo: QualifiedSignatureCheck.maximumLength + 1)
            return (Array(body.readableBytesView), checked)
        }
        if request.headers[.secFetchSite]?.lowercased() == "cross-site" {
            throw HTTPProblem(
                .forbidden, code: "csrf", detail: "The request came from another site.", pageKey: "error_csrf")
        }
        if let origin = request.headers[.origin], let host = request.head.authority,
            !origin.lowercased().hasSuffix("://\(host.lowercased())")
        {
            throw HTTPProblem(
                .forbidden, code: "csrf", detail: "The request's Origin is not this site.", pageKey: "error_csrf")
        }
        var request = request
        let body = try await request.collectBody(upTo: QualifiedSignatureCheck.maximumLength + 4096)
        guard
            let form = MultipartForm(
                contentType: request.headers[.contentType] ?? "", body: Array(body.readableBytesView))
        else {
            throw HTTPProblem.badRequest("The upload is not a well-formed multipart form.")
        }
        guard let cookie = request.cookies[CSRFToken.cookieName]?.value,
            let field = form[CSRFToken.fieldName].map({ String(decoding: $0, as: UTF8.self) }),
            CSRFToken.matches(field, cookie)
        else {
            throw HTTPProblem(
                .forbidden, code: "csrf", detail: "The form's security token is missing or does not match.",
                pageKey: "error_csrf")
        }
        guard let signature = form["signature"], !signature.isEmpty else {
            throw HTTPProblem.badRequest("Choose the signature file (.p7s) to upload.")
        }
        return (signature, request)
    }

    /// The draft in a JSON body: `attorney`, `services` (codes, or `["*"]`), `validFrom`, `validUntil`, and
    /// `principal` (`organisation:<code>`) when drafting for an entity.
    static func draft(fromJSON body: [UInt8], by actor: PersonalNumber) throws -> PowersOfAttorney.Draft {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw HTTPProblem.badRequest("The body must be a JSON object.")
        }
        guard let attorney = object["attorney"] as? String, let services = object["services"] as? [String],
            let from = object["validFrom"] as? String, let until = object["validUntil"] as? String
        else {
            throw HTTPProblem.badRequest(
                "Give attorney (a personal number), services (codes, or [\"*\"]), validFrom and validUntil (dates).")
        }
        return try draft(
            attorney: attorney, services: services, from: from, until: until, principal: object["principal"] as? String,
            by: actor)
    }

    /// A draft from the door's raw strings, each parsed into its type; the principal is the actor by default.
    static func draft(
        attorney: String, services: [String], from: String, until: String, principal: String?, by actor: PersonalNumber
    ) throws -> PowersOfAttorney.Draft {
        do {
            let number = try PersonalNumber(attorney.trimmingCharacters(in: .whitespaces))
            let parsedPrincipal = try principal.map { try Principal($0) }
            return PowersOfAttorney.Draft(
                principal: parsedPrincipal ?? .person(actor), attorney: number,
                services: try ServiceScope(codes: services), validFrom: try CalendarDate(from),
                validUntil: try CalendarDate(until))
        } catch let error as IdentityError {
            throw HTTPProblem.badRequest(error.message)
        } catch let error as IdentifierError {
            throw HTTPProblem.badRequest(error.message)
        }
    }

    /// What anyone may learn of a signed power: whether it is in force, who, which services, until when, the
    /// signer and the signature's validation.
    func summary(_ power: PowerOfAttorney) -> [String: Any] {
        let document = power.document
        let today = powers.today
        var summary: [String: Any] = [
            "id": power.id, "state": power.state(on: today).rawValue, "validNow": power.isInForce(on: today),
            "principal": [
                "kind": document.principal.kind, "id": document.principal.identifier, "name": document.principalName,
            ],
            "signatory": [
                "personalNumber": document.signatory.rawValue, "name": document.signatoryName,
                "role": document.signatoryRole,
            ],
            "attorney": ["personalNumber": document.attorney.rawValue, "name": document.attorneyName],
            "services": document.services.codes, "validFrom": document.validFrom.description,
            "validUntil": document.validUntil.description, "document": "/powers-of-attorney/\(power.id)/document",
            "events": power.events.map { ["kind": $0.kind.rawValue, "at": Timestamp($0.at).description] },
        ]
        if let validation = power.validation, let signature = validation.signatures.first {
            summary["signature"] = [
                "url": "/powers-of-attorney/\(power.id)/signature", "indication": validation.indication.rawValue,
                "format": signature.format, "signer": signature.signer?.subject ?? "",
                "issuer": signature.signer?.issuer ?? "", "qualified": signature.signer?.qualified ?? false,
                "validatedAt": Timestamp(validation.validationTime).description,
            ]
        }
        return summary
    }

    static func wantsJSON(_ request: Request) -> Bool {
        request.headers[.accept]?.lowercased().contains("application/json") == true
    }

    static func json(
        _ object: Any, status: HTTPResponse.Status = .ok, location: String? = nil
    ) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func download(_ bytes: [UInt8], type: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
