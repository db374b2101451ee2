public import CivitasCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SwiftASN1
public import Web
import X509

/// The eID card and mobile ID login routes, and the mobile ID device routes.
///
/// Browser pages (HTML in the visitor's language; no script, the page refreshes itself):
/// - `GET /login/card`, `GET /login/mobile`: start a login, set the browser-binding cookie, show the code;
/// - `GET /login/card/{id}`, `GET /login/mobile/{id}`: the status page; once answered, it hands the
///   ``Authentication`` to the ``AuthenticationCompletion`` and returns its response.
///
/// JSON, for the card reader app and the phone (no cookie authority, so the POST is CSRF-exempt):
/// - `GET /identity/device-logins/{code}`: the login's challenge, origin and expiry;
/// - `POST /identity/device-logins/{code}/answer`: the signed answer.
///
/// JSON, for the person's own session (``AuthenticatedPersonLookup``; CSRF-checked, since a session cookie is
/// the authority):
/// - `POST /identity/devices`: register a device key, from a session at level high only;
/// - `GET /identity/devices`: the session person's devices;
/// - `POST /identity/devices/{id}/revoke`: revoke one of them.
public struct DeviceLoginRoutes: Sendable {
    private let service: DeviceLoginService
    private let renderer: PageRenderer
    private let completion: any AuthenticationCompletion
    private let people: any AuthenticatedPersonLookup
    private let origin: String
    private let settings: WebSettings
    private let clock: any WallClock
    /// The largest JSON body read: an answer with a certificate is about 2 KB.
    static let maximumBodySize = 16 * 1024
    /// Seconds between the status page's refreshes.
    static let refreshSeconds = 2

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - origin: the relying origin logins are for, shown to the person and signed (``origin(of:)`` of the
    ///     node's public URL).
    ///   - completion: opens the session once a login is answered.
    ///   - people: who is logged in, for the device routes.
    public init(
        service: DeviceLoginService, renderer: PageRenderer, completion: any AuthenticationCompletion,
        people: any AuthenticatedPersonLookup, origin: String, settings: WebSettings,
        clock: any WallClock = SystemClock()
    ) {
        self.service = service
        self.renderer = renderer
        self.completion = completion
        self.people = people
        self.origin = origin
        self.settings = settings
        self.clock = clock
    }

    /// The origin (`scheme://host[:port]`, lowercase, default port left out) of `url`, or nil if it has none.
    public static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        for method in DeviceLoginMethod.allCases {
            routes.get("/login/\(method.rawValue)") { request, context in
                try await self.start(method, request, context)
            }
            routes.get("/login/\(method.rawValue)/{id}") { request, context in
                try await self.status(method, request, context)
            }
        }
        routes.get("/identity/device-logins/{code}") { _, context in
            let login = try await self.open(try Self.code(context))
            return try Self.json(LoginView(login))
        }
        routes.add(.post, "/identity/device-logins/{code}/answer", csrf: .exempt) { request, context in
            try await self.answer(request, context)
        }
        routes.post("/identity/devices") { request, context in try await self.registerDevice(request, context) }
        routes.get("/identity/devices") { request, context in
            let person = try await self.person(request, context, needs: nil)
            let devices = try await Self.mapping { try await service.devices.devices(of: person) }
            return try Self.json(DeviceList(devices: devices.map(DeviceView.init)))
        }
        routes.post("/identity/devices/{id}/revoke") { request, context in
            let person = try await self.person(request, context, needs: nil)
            let id = context.parameters.get("id") ?? ""
            let device = try await Self.mapping {
                try await service.devices.revoke(id: id, of: person, requestID: context.requestID)
            }
            return try Self.json(DeviceView(device))
        }
    }

    // MARK: - Browser pages

    func start(
        _ method: DeviceLoginMethod, _ request: Request, _ context: CivitasRequestContext
    ) async throws
        -> Response
    {
        let (login, secret) = try await service.logins.start(method: method, origin: origin)
        var response = try page(login, request: request, context: context)
        response.setCookie(
            Cookie(
                name: BrowserBinding.cookieName, value: secret, maxAge: Int(DeviceLogins.lifetime), path: "/login",
                secure: settings.servedOverTLS, httpOnly: true, sameSite: .lax))
        return response
    }

    func status(
        _ method: DeviceLoginMethod, _ request: Request, _ context: CivitasRequestContext
    ) async throws
        -> Response
    {
        let id = context.parameters.get("id") ?? ""
        let secret = request.cookies[BrowserBinding.cookieName]?.value
        let progress: DeviceLogins.Progress
        do {
            guard try await service.logins.login(id: id).method == method else {
                throw IdentityError(.loginNotFound, "no such login")
            }
            progress = try await service.logins.finish(id: id, browserSecret: secret, requestID: context.requestID)
        } catch let error as IdentityError {
            let page: String? =
                switch error.code {
                case .loginExpired: "login_\(method.rawValue)_expired"
                case .wrongBrowser: "login_\(method.rawValue)_wrong_browser"
                case .loginAlreadyUsed: "login_\(method.rawValue)_used"
                default: nil
                }
            throw error.problem(pageKey: page)
        }
        switch progress {
        case .waiting(let login):
            return try page(login, request: request, context: context)
        case .completed(let authentication):
            var response = try await completion.complete(authentication, request: request, context: context)
            response.setCookie(
                Cookie(
                    name: BrowserBinding.cookieName, value: "", maxAge: 0, path: "/login",
                    secure: settings.servedOverTLS, httpOnly: true, sameSite: .lax))
            return response
        }
    }

    func page(_ login: DeviceLogin, request: Request, context: CivitasRequestContext) throws -> Response {
        // The status page carries the login's return path on, so that a login for a relying party comes back
        // to its authorization request instead of the home page.
        var statusPath = "/login/\(login.method.rawValue)/\(login.id)"
        if let back = request.uri.queryParameters["return"].map(String.init) {
            var query = URLComponents()
            query.queryItems = [URLQueryItem(name: "return", value: WebRoutes.safeReturnPath(back))]
            statusPath += "?" + (query.percentEncodedQuery ?? "")
        }
        let left = max(0, Int(login.expiresAt.timeIntervalSince(clock.now()).rounded(.down)))
        let command =
            login.method == .card
            ? "civitas card login --url \(login.origin) --code \(login.code)"
            : "civitas mobile approve --url \(login.origin) --code \(login.code) --file device.json"
        let values: [String: Any] = [
            "code": login.code.description, "status_path": statusPath, "refresh": Self.refreshSeconds,
            "seconds_left": left, "origin": login.origin, "command": command,
        ]
        return try renderer.page("login_\(login.method.rawValue)", values: values, request: request, context: context)
    }

    // MARK: - The card reader app's and the phone's API

    func open(_ code: DeviceLoginCode) async throws -> DeviceLogin {
        let login = try await Self.mapping { try await service.logins.login(code: code) }
        switch login.state {
        case .pending: return login
        case .expired: throw DeviceLogins.expired(login).problem()
        case .answered, .consumed:
            throw IdentityError(.loginAlreadyUsed, "the login \(login.code) was answered already").problem()
        }
    }

    func answer(_ request: Request, _ context: CivitasRequestContext) async throws -> Response {
        let code = try Self.code(context)
        let body = try await Self.decode(AnswerBody.self, from: request)
        guard let signature = Data(base64Encoded: body.signature), !signature.isEmpty else {
            throw IdentityError(.malformedAnswer, "signature is not base64").problem()
        }
        let credential: DeviceLoginAnswer.Credential
        switch (body.certificate, body.deviceId) {
        case (let encoded?, nil):
            guard let der = Data(base64Encoded: encoded) else {
                throw IdentityError(.malformedAnswer, "certificate is not base64").problem()
            }
            // Well-formed input that is no certificate is a refused credential, like an untrusted one.
            guard let certificate = try? Certificate(derEncoded: Array(der)) else {
                throw HTTPProblem(
                    .forbidden, code: "untrusted-certificate", detail: "certificate is not a DER X.509 certificate")
            }
            credential = .certificate(certificate)
        case (nil, let id?):
            credential = .device(id: id)
        default:
            throw IdentityError(.malformedAnswer, "give exactly one of certificate and deviceId").problem()
        }
        let answer = DeviceLoginAnswer(signedAt: body.signedAt, signature: Array(signature), credential: credential)
        let login = try await Self.mapping {
            try await service.answer(code: code, with: answer, requestID: context.requestID)
        }
        return try Self.json(AnswerReply(code: login.code.description, state: login.state.rawValue))
    }

    // MARK: - Devices

    func registerDevice(_ request: Request, _ context: CivitasRequestContext) async throws -> Response {
        let person = try await person(request, context, needs: .high)
        let body = try await Self.decode(RegistrationBody.self, from: request)
        guard let der = Data(base64Encoded: body.publicKey),
            let key = try? P256.Signing.PublicKey(derRepresentation: der)
        else {
            throw HTTPProblem.badRequest("publicKey is not a base64 SubjectPublicKeyInfo of a P-256 key.")
        }
        let device = try await Self.mapping {
            try await service.devices.register(
                personalNumber: person, publicKey: key, name: body.name, requestID: context.requestID)
        }
        var response = try Self.json(DeviceView(device))
        response.status = .created
        return response
    }

    /// The session's person, at `level` or above when given.
    func person(
        _ request: Request, _ context: CivitasRequestContext, needs level: LevelOfAssurance?
    ) async throws
        -> PersonalNumber
    {
        guard let person = try await people.authenticatedPerson(for: request, context: context) else {
            throw IdentityError(.insufficientAssurance, "log in first").problem()
        }
        if let level, person.level < level {
            throw HTTPProblem(
                .forbidden, code: "insufficient-assurance",
                detail: "This needs a login at level \(level) (an eID card); this session is at \(person.level).")
        }
        return person.personalNumber
    }

    // MARK: - Helpers

    static func code(_ context: CivitasRequestContext) throws -> DeviceLoginCode {
        guard let text = context.parameters.get("code"), let code = DeviceLoginCode(text) else {
            throw HTTPProblem.notFound("No login has this code; a code looks like 4821-7730.")
        }
        return code
    }

    /// Runs `body`, turning ``IdentityError``s into problems.
    static func mapping<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IdentityError {
            throw error.problem()
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == "application/json" else {
            throw HTTPProblem(
                .unsupportedMediaType, code: "unsupported-media-type", detail: "Send JSON (application/json).")
        }
        var request = request
        let body = try await request.collectBody(upTo: maximumBodySize)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPProblem.badRequest("The body is not the JSON object this operation takes.")
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](try encoder.encode(value)))))
    }
}
