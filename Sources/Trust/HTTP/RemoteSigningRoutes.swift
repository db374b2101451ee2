public import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import Storage
import SwiftASN1
public import Web
import X509

/// The GovStack eSignature "Remote SCD API" at `/esignature/v1/…`: certificates and CAdES signatures over
/// digests for authenticated API clients.
///
/// Every route authenticates the client from `Authorization: Bearer <token>` or the spec's
/// `X-GovStack-AuthenticationToken` header (401 with `WWW-Authenticate: Bearer` otherwise) and requires one
/// scope (403 without it). The routes take no cookies, so they are exempt from the cookie CSRF check. Input is
/// parsed into typed values here, and every refusal is RFC 9457 problem details.
public struct RemoteSigningRoutes: Sendable {
    private let service: RemoteSigningService
    private let clients: APIClientRegistry
    private let clock: any WallClock
    /// The mount point of the API.
    public static let prefix = "/esignature/v1"
    /// The largest request body read (a CSR or a hash with its metadata is a few kilobytes).
    static let maximumBodySize = 64 * 1024

    /// Creates the routes over `service`, authenticating clients with `clients`.
    public init(service: RemoteSigningService, clients: APIClientRegistry, clock: any WallClock = SystemClock()) {
        self.service = service
        self.clients = clients
        self.clock = clock
    }

    /// Creates the routes over `pki`'s remote signing service, time-stamping with its own TSA.
    public init(pki: NationalPKI, database: Database) {
        let audit = pki.audit
        self.init(
            service: RemoteSigningService(pki: pki, database: database, timeStamping: pki.localTimeStampSource()),
            clients: APIClientRegistry(database: database, audit: audit))
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        let prefix = Self.prefix
        route(routes, .post, "\(prefix)/cert/create", scope: .certificates) { request, context, client in
            let body = try await Self.decode(CertificateCreationBody.self, from: request, context: context)
            let csr = try body.csr.map(Self.parseCSR)
            var profile = CertificateProfile.citizenQualifiedSignature
            if let name = body.profile {
                guard let named = CertificateProfile(rawValue: name), APIClient.remoteSigningProfiles.contains(named)
                else {
                    throw Self.unprocessable(
                        "profile must be one of "
                            + APIClient.remoteSigningProfiles.map(\.rawValue).joined(separator: ", "))
                }
                profile = named
            }
            let created = try await service.createCertificate(
                csr: csr, profile: profile, pseudonym: body.pseudonym ?? body.pseodonym, client: client,
                requestID: context.requestID)
            return try Self.json(
                CertificateCreationReply(
                    certificateId: created.id, pseudonym: created.pseudonym, certificate: created.pem,
                    profile: created.stored.profile.rawValue,
                    keyLocation: created.keyIsHeldByService ? "SERVICE" : "DEVICE",
                    responseTimestamp: Self.format(clock.now()),
                    status: .init(code: "OK", message: "Certificate created")))
        }
        route(routes, .get, "\(prefix)/cert/list", scope: .certificates) { request, _, client in
            let filter: RemoteCertificateStatus?
            switch request.uri.queryParameters.get("filter") {
            case nil, "ALL": filter = nil
            case "ACTIVATED", "ACTIVE": filter = .active
            case "SUSPENDED": filter = .suspended
            case "REVOKED": filter = .revoked
            case "EXPIRED": filter = .expired
            case .some: throw HTTPProblem.badRequest("filter must be ALL, ACTIVATED, EXPIRED, REVOKED or SUSPENDED.")
            }
            let now = clock.now()
            let list = try await service.certificates(client: client, status: filter)
            return try Self.json(list.map { CertificateListItem($0, at: now) })
        }
        route(routes, .get, "\(prefix)/cert/pseudonym", scope: .certificates) { request, _, client in
            guard let pseudonym = Self.pseudonym(in: request) else {
                throw Self.unprocessable("Give the pseudonym in the X-Pseodonym-Token header or ?pseudonym=.")
            }
            let certificate = try await service.certificate(pseudonym: pseudonym, client: client)
            return try Self.json(CertificateListItem(certificate, at: clock.now()))
        }
        route(routes, .patch, "\(prefix)/cert/{certificateId}", scope: .certificates) { request, context, client in
            let id = try Self.identifier(context.parameters.get("certificateId"), "certificate")
            let body = try await Self.decode(StatusChangeBody.self, from: request, context: context)
            let change: RemoteSigningService.StatusChange
            switch body.status?.code {
            case "ACTIVATE": change = .activate
            case "SUSPEND": change = .suspend
            case "REVOKE":
                guard let reason = CRLReason(name: body.reason ?? "unspecified"), reason != .certificateHold,
                    reason != .removeFromCRL
                else {
                    throw Self.unprocessable(
                        "reason must be one of "
                            + CRLReason.revocationReasons.map(\.name).joined(separator: ", "))
                }
                change = .revoke(reason)
            case nil: throw Self.unprocessable("status.code is required: ACTIVATE, SUSPEND or REVOKE.")
            case .some: throw Self.unprocessable("status.code must be ACTIVATE, SUSPEND or REVOKE.")
            }
            let updated = try await service.changeStatus(id: id, change, client: client)
            let status = updated.status(at: clock.now())
            let code: String =
                switch status {
                case .active: "ACTIVATED"
                case .suspended: "SUSPENDED"
                case .revoked: "REVOKED"
                case .expired: "EXPIRED"
                }
            return try Self.json(
                StatusChangeReply(
                    responseTimestamp: Self.format(clock.now()),
                    status: .init(code: code, message: "Certificate \(status.rawValue)")))
        }
        route(routes, .post, "\(prefix)/sign/certificateId/{certificateId}", scope: .signatures) {
            request, context, client in
            let id = try Self.identifier(context.parameters.get("certificateId"), "certificate")
            let signatureRequest = try Self.signatureRequest(
                try await Self.decode(SignatureBody.self, from: request, context: context))
            let signature = try await service.sign(
                signatureRequest, certificateID: id, client: client, requestID: context.requestID)
            return try Self.json(SignatureReply(signature))
        }
        route(routes, .post, "\(prefix)/sign/pseudonym", scope: .signatures) { request, context, client in
            let body = try await Self.decode(SignatureBody.self, from: request, context: context)
            guard let pseudonym = Self.pseudonym(in: request) ?? body.pseudonym else {
                throw Self.unprocessable("Give the pseudonym in the X-Pseodonym-Token header or the pseudonym field.")
            }
            let signatureRequest = try Self.signatureRequest(body, generatingNonce: true)
            let signature = try await service.sign(
                signatureRequest, pseudonym: pseudonym, client: client, requestID: context.requestID)
            return try Self.json(
                PseudonymSignatureReply(signatureId: signature.id, nonce: signature.nonce, state: signature.state))
        }
        route(routes, .get, "\(prefix)/sign/response/{signatureId}", scope: .signatures) { _, context, client in
            let id = try Self.identifier(context.parameters.get("signatureId"), "signature")
            return try Self.json(SignatureReply(try await service.signature(id: id, client: client)))
        }
        route(routes, .get, "\(prefix)/audit/log", scope: .audit) { request, _, client in
            let start = try request.uri.queryParameters.get("start").map { try Self.parseTime($0, "start") }
            let end = try request.uri.queryParameters.get("end").map { try Self.parseTime($0, "end") }
            if let start, let end, start > end { throw HTTPProblem.badRequest("start is after end.") }
            let signatures = try await service.signatures(client: client, from: start, to: end)
            return try Self.json(signatures.map(AuditLogItem.init))
        }
    }

    private typealias ClientHandler = @Sendable (Request, CivitasRequestContext, APIClient) async throws -> Response

    /// Registers a route that authenticates the client, checks `scope` and maps the Trust block's errors.
    private func route(
        _ routes: RouteTable, _ method: HTTPRequest.Method, _ path: String, scope: APIScope,
        _ handler: @escaping ClientHandler
    ) {
        let clients = self.clients
        routes.add(method, path, csrf: .exempt) { request, context in
            guard let token = BearerToken.ofGovStack(request) else {
                return Self.authenticationProblem(
                    .unauthorized, code: "unauthenticated", challenge: "Bearer realm=\"civitas\"",
                    detail: "Authenticate with Authorization: Bearer <token> (or X-GovStack-AuthenticationToken).",
                    request: request, context: context)
            }
            let client: APIClient
            do {
                client = try await clients.authenticate(token: token)
            } catch let error as TrustError where error.code == .unauthenticated {
                return Self.authenticationProblem(
                    .unauthorized, code: "invalid-token",
                    challenge: "Bearer realm=\"civitas\", error=\"invalid_token\"",
                    detail: "The token is unknown or revoked.", request: request, context: context)
            }
            guard client.scopes.contains(scope) else {
                return Self.authenticationProblem(
                    .forbidden, code: "insufficient-scope",
                    challenge: "Bearer realm=\"civitas\", error=\"insufficient_scope\", scope=\"\(scope.rawValue)\"",
                    detail: "This client does not have the \(scope.rawValue) scope.", request: request,
                    context: context)
            }
            var context = context
            context.logger[metadataKey: "client"] = "\(client.id)"
            do {
                return try await handler(request, context, client)
            } catch let error as TrustError {
                throw Self.problem(for: error)
            }
        }
    }

    // MARK: - Authentication

    static let pseudonymTokenHeader = HTTPField.Name("X-Pseodonym-Token")!

    /// A 401 or 403 problem with its `WWW-Authenticate` challenge (RFC 6750 §3), which ``ErrorMiddleware``
    /// cannot add.
    static func authenticationProblem(
        _ status: HTTPResponse.Status, code: String, challenge: String, detail: String, request: Request,
        context: CivitasRequestContext
    ) -> Response {
        let body = ProblemDetails(
            type: ErrorMiddleware.problemTypeBase + code, title: status.reasonPhrase, status: status.code,
            detail: detail, instance: request.uri.path, requestID: context.requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data()
        return Response(
            status: status,
            headers: [
                .contentType: "application/problem+json", .cacheControl: "no-store", .wwwAuthenticate: challenge,
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }

    // MARK: - Input

    /// Reads a JSON body of at most ``maximumBodySize`` bytes into `T`.
    static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, context: CivitasRequestContext
    ) async throws -> T {
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

    static func parseCSR(_ text: String) throws -> CertificateSigningRequest {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            if trimmed.hasPrefix("-----BEGIN") {
                return try CertificateSigningRequest(pemEncoded: trimmed)
            }
            guard let der = Data(base64Encoded: trimmed, options: .ignoreUnknownCharacters), !der.isEmpty else {
                throw HTTPProblem.badRequest("CSR is neither PEM nor base64.")
            }
            return try CertificateSigningRequest(derEncoded: Array(der))
        } catch let problem as HTTPProblem {
            throw problem
        } catch {
            throw HTTPProblem.badRequest("CSR is not a PKCS#10 certificate request.")
        }
    }

    static func signatureRequest(
        _ body: SignatureBody, generatingNonce: Bool = false
    ) throws -> RemoteSignatureRequest {
        guard let format = body.format, let hash = body.hash, let hashType = body.hashType else {
            throw unprocessable("format, hash and hashType are required.")
        }
        guard format == "CAdES" else {
            throw unprocessable(
                "Only the CAdES format is produced (a detached CAdES B-T signature over the hash); \(format) is not.")
        }
        guard let algorithm = RemoteSigningService.digestAlgorithm(named: hashType) else {
            throw unprocessable("hashType must be SHA2-256, SHA2-384 or SHA2-512.")
        }
        guard let digest = Data(base64Encoded: hash), !digest.isEmpty else {
            throw HTTPProblem.badRequest("hash is not base64.")
        }
        guard digest.count == algorithm.digestLength else {
            throw unprocessable("A \(hashType) hash is \(algorithm.digestLength) bytes, not \(digest.count).")
        }
        for (name, value) in [
            ("dataToBeDisplayed", body.dataToBeDisplayed), ("requestTimestamp", body.requestTimestamp),
            ("nonce", body.nonce), ("state", body.state),
        ] {
            if let value, value.utf8.count > 1024 { throw unprocessable("\(name) is longer than 1024 bytes.") }
        }
        let nonce = body.nonce ?? (generatingNonce ? Hex.encode(APIClientRegistry.randomBytes(32)) : nil)
        return RemoteSignatureRequest(
            digest: Array(digest), algorithm: algorithm, dataToBeDisplayed: body.dataToBeDisplayed,
            requestTimestamp: body.requestTimestamp, nonce: nonce, state: body.state)
    }

    /// The pseudonym from `X-Pseodonym-Token` or `?pseudonym=`.
    ///
    /// The spec's header carries a pseudonym token from an identity provider; until the Identity block issues
    /// them, it carries the pseudonym itself, looked up among the client's own certificates only.
    static func pseudonym(in request: Request) -> String? {
        if let header = request.headers[pseudonymTokenHeader]?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            return header
        }
        return request.uri.queryParameters.get("pseudonym").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A certificate or signature id: 64 hex digits. Anything else names nothing.
    static func identifier(_ value: String?, _ what: String) throws -> String {
        guard let value, value.utf8.count == 64, value.utf8.allSatisfy(\.isHexDigit) else {
            throw HTTPProblem.notFound("No such \(what).")
        }
        return value.lowercased()
    }

    static func parseTime(_ value: String, _ name: String) throws -> Date {
        if let date = try? Date(value, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(value) { return date }
        throw HTTPProblem.badRequest("\(name) is not an ISO 8601 time such as 2026-03-20T09:12:28Z.")
    }

    static func format(_ date: Date) -> String { date.formatted(.iso8601) }

    static func unprocessable(_ detail: String) -> HTTPProblem {
        HTTPProblem(.unprocessableContent, code: "unprocessable", detail: detail)
    }

    /// The HTTP answer to a Trust error.
    static func problem(for error: TrustError) -> any Error {
        switch error.code {
        case .notFound: HTTPProblem.notFound(error.message)
        case .invalidRequest, .invalidSignatureInput: unprocessable(error.message)
        case .invalidTransition, .conflict: HTTPProblem(.conflict, code: "conflict", detail: error.message)
        case .forbidden: HTTPProblem(.forbidden, code: "forbidden", detail: error.message)
        case .notInitialised:
            HTTPProblem(
                .serviceUnavailable, code: "pki-not-initialised",
                detail: "The national PKI has not been created yet; the operator runs civitas pki init.")
        case .timeStampUnavailable, .timeStampRefused:
            HTTPProblem(.serviceUnavailable, code: "time-stamp-unavailable", detail: error.message)
        default: error
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

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
