import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import ServiceLifecycle
public import Storage
import Synchronization
public import Web
import X509

/// `POST /ocsp`, `GET /ocsp/<base64>` (RFC 6960 appendix A) and `GET /crl/<ca>.crl` (RFC 5280), with the
/// answers every node pre-produces replaced as soon as any node changes a certificate's status.
public final class RevocationRoutes: Sendable {
    private let pki: NationalPKI
    private let database: Database
    private let numbers: [PKIRole: SerialAllocator]
    private let responder = Mutex<(responder: OCSPResponder, issuers: [String: OCSPIssuer])?>(nil)
    private let crls = Mutex<[PKIRole: CertificateRevocationList]>([:])
    /// CRLs are re-signed when less than this is left before their nextUpdate.
    static let crlRefreshMargin: TimeInterval = 3600

    /// Creates the routes over `pki`.
    public init(pki: NationalPKI, database: Database) {
        self.pki = pki
        self.database = database
        var numbers: [PKIRole: SerialAllocator] = [:]
        for role in PKIRole.revocationIssuers {
            numbers[role] = SerialAllocator(database: database, name: "crl:\(role.rawValue)", blockSize: 16)
        }
        self.numbers = numbers
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.add(.post, "/ocsp", csrf: .exempt) { request, context in
            let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/ocsp-request" else {
                throw HTTPProblem(
                    .unsupportedMediaType, code: "unsupported-media-type",
                    detail: "Send an RFC 6960 OCSPRequest with Content-Type: application/ocsp-request.")
            }
            let responder = try await self.loadedResponder()
            var request = request
            let body = try await request.collectBody(upTo: responder.maximumRequestSize + 1)
            return try await self.answer(Array(body.readableBytesView), responder: responder, context: context)
        }
        routes.get("/ocsp/**") { request, context in
            let responder = try await self.loadedResponder()
            let path = request.uri.path.dropFirst("/ocsp/".count)
            let der = OCSPRequest.derBytes(fromGETPath: path) ?? []
            return try await self.answer(der, responder: responder, context: context)
        }
        routes.get("/crl/{name}") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard name.hasSuffix(".crl"), let role = PKIRole(rawValue: String(name.dropLast(4))),
                PKIRole.revocationIssuers.contains(role)
            else { throw HTTPProblem.notFound("No CRL is published under this name.") }
            let crl = try await self.currentCRL(role)
            return Response(
                status: .ok, headers: [.contentType: "application/pkix-crl", .cacheControl: "public, max-age=60"],
                body: .init(byteBuffer: ByteBuffer(bytes: crl.derEncoded)))
        }
    }

    private func answer(
        _ der: [UInt8], responder: OCSPResponder, context: CivitasRequestContext
    ) async throws -> Response {
        let answer = await responder.answer(to: der, at: Date())
        if let failure = answer.failure {
            context.logger.info("OCSP request not answered successfully", metadata: ["reason": "\(failure)"])
        }
        var headers: HTTPFields = [.contentType: "application/ocsp-response"]
        if let nextUpdate = answer.nextUpdate, answer.status == .successful {
            let seconds = max(0, Int(nextUpdate.timeIntervalSinceNow))
            headers[.cacheControl] = "max-age=\(seconds), public, no-transform, must-revalidate"
        } else {
            headers[.cacheControl] = "no-store"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.derEncoded)))
    }

    private func loadedResponder() async throws -> OCSPResponder {
        if let cached = responder.withLock({ $0 }) { return cached.responder }
        do {
            let loaded = try await pki.ocspResponder()
            var issuers: [String: OCSPIssuer] = [:]
            for role in PKIRole.revocationIssuers {
                let certificate = try await pki.certificate(role: role).certificate
                issuers[role.rawValue] = loaded.authorities.first { $0.issuer.certificate == certificate }?.issuer
            }
            responder.withLock { $0 = (loaded, issuers) }
            return loaded
        } catch let error as TrustError where error.code == .notInitialised {
            throw Self.notInitialised
        }
    }

    func currentCRL(_ role: PKIRole) async throws -> CertificateRevocationList {
        if let cached = crls.withLock({ $0[role] }), let next = cached.nextUpdate,
            next.timeIntervalSinceNow > Self.crlRefreshMargin
        {
            return cached
        }
        do {
            let fresh = try await pki.certificateRevocationList(of: role, numbers: numbers[role]!)
            crls.withLock { $0[role] = fresh }
            return fresh
        } catch let error as TrustError where error.code == .notInitialised {
            throw Self.notInitialised
        }
    }

    /// Drops every cached answer and CRL.
    func invalidateAll() {
        crls.withLock { $0.removeAll() }
        responder.withLock { $0 }?.responder.invalidateAll()
    }

    var pkiForWatcher: NationalPKI { pki }

    /// Replaces what is cached about `issuer/serial` (a payload of ``NationalPKI/statusChannel``).
    func statusChanged(_ payload: String) {
        let parts = payload.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let role = PKIRole(rawValue: parts[0]) else { return }
        crls.withLock { $0[role] = nil }
        if let loaded = responder.withLock({ $0 }), let issuer = loaded.issuers[role.rawValue] {
            loaded.responder.invalidate(
                issuer: issuer, serialNumber: Certificate.SerialNumber(bytes: NationalPKI.bytes(hex: parts[1])))
        }
    }

    static let notInitialised = HTTPProblem(
        .serviceUnavailable, code: "pki-not-initialised",
        detail: "The national PKI has not been created yet; the operator runs civitas pki init.")

    /// The service that listens for status changes from every node while the node runs.
    public var watcher: some Service { RevocationWatcher(routes: self, database: database) }
}

/// Hears ``NationalPKI/statusChannel`` and drops the cached OCSP answer and CRL a change makes stale.
struct RevocationWatcher: Service {
    let routes: RevocationRoutes
    let database: Database

    /// How often the status-version counter is read, as the safety net behind notifications.
    static let pollInterval: Duration = .seconds(1)

    func run() async throws {
        let changes = try await database.notifications(NationalPKI.statusChannel)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await payload in changes.cancelOnGracefulShutdown() {
                    routes.statusChanged(payload)
                }
            }
            group.addTask {
                var seen = try? await routes.pkiForWatcher.statusVersion()
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: Self.pollInterval)
                    guard let current = try? await routes.pkiForWatcher.statusVersion() else { continue }
                    if current != seen {
                        routes.invalidateAll()
                        seen = current
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
