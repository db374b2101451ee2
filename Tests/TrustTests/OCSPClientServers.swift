import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Storage
import StorageTesting
import Synchronization
import Testing
import Web
import X509

@testable import Trust

/// Counts the requests a server received.
final class RequestCounter: Sendable {
    private let value = Atomic<Int>(0)
    var count: Int { value.load(ordering: .relaxed) }
    func increment() { value.add(1, ordering: .relaxed) }
}

/// Counts every request to `/ocsp` and below, before the routes see it.
struct OCSPRequestCounting<Context: RequestContext>: RouterMiddleware {
    let counter: RequestCounter

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if request.uri.path.hasPrefix("/ocsp") { counter.increment() }
        return try await next(request, context)
    }
}

/// Servers for the OCSP client tests, each on a real loopback port.
enum OCSPClientServers {
    static var quietLogger: Logger {
        var logger = Logger(label: "ocsp-client-tests")
        logger.logLevel = .critical
        return logger
    }

    /// The national PKI's own responder: ``RevocationRoutes`` on a live node over a fresh SQLite database with an
    /// initialised PKI and one citizen's certificate, with the watcher that drops cached answers after a status change.
    /// `body` gets the `/ocsp` URL, the fixture and the server's request counter.
    static func withNationalNode<T: Sendable>(
        _ body: @escaping @Sendable (String, ValidationFixture, RequestCounter) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let fixture = try await ValidationFixture.make(database)
            let settings = WebSettings()
            let renderer = try await PageRenderer.bundled(settings: settings)
            let counter = RequestCounter()
            let router = Router(context: CivitasRequestContext.self)
            router.add(middleware: OCSPRequestCounting(counter: counter))
            router.add(middleware: RequestContextMiddleware(settings: settings))
            router.add(middleware: ErrorMiddleware(renderer: renderer))
            let routes = RouteTable()
            let revocation = RevocationRoutes(pki: fixture.pki, database: database)
            revocation.register(in: routes)
            routes.install(on: router)
            let application = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                services: [revocation.watcher], logger: quietLogger)
            return try await application.test(.live) { client in
                let port = try #require(client.port)
                return try await body("http://127.0.0.1:\(port)/ocsp", fixture, counter)
            }
        }
    }

    /// What a scripted responder sends back.
    struct Reply: Sendable {
        var status: HTTPResponse.Status = .ok
        var contentType = "application/ocsp-response"
        var body: [UInt8]
    }

    /// A responder whose every answer `answer` makes from the request body; `body` gets its URL and request counter.
    static func withScripted<T: Sendable>(
        _ answer: @escaping @Sendable ([UInt8]) async throws -> Reply,
        _ body: @escaping @Sendable (String, RequestCounter) async throws -> T
    ) async throws -> T {
        let counter = RequestCounter()
        let router = Router()
        router.add(middleware: OCSPRequestCounting(counter: counter))
        router.post("/ocsp") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 65_536)
            let reply = try await answer(Array(bytes.readableBytesView))
            return Response(
                status: reply.status, headers: [.contentType: reply.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        return try await application.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://127.0.0.1:\(port)/ocsp", counter)
        }
    }

    /// A responder that answers with the project's ``OCSPResponder`` at the time `clock` says (the clock the source
    /// under test reads too, so that both agree on time).
    static func withResponder<T: Sendable>(
        _ responder: OCSPResponder, clock: any WallClock,
        _ body: @escaping @Sendable (String, RequestCounter) async throws -> T
    ) async throws -> T {
        try await withScripted(
            { request in Reply(body: await responder.respond(to: request, at: clock.now())) }, body)
    }
}

/// OCSP responses built by hand, for what no honest responder sends.
enum OCSPForgery {
    /// A successful response with one SingleResponse about `certID`, signed by `key`, naming the responder by
    /// `responderKeyHash`, with `certificates` in `certs`.
    static func response(
        certID: ArraySlice<UInt8>, status: CertificateStatus = .good, thisUpdate: Date, nextUpdate: Date,
        nonce: ArraySlice<UInt8>? = nil, key: Certificate.PrivateKey, responderKeyHash: [UInt8],
        certificates: [Certificate]
    ) async throws -> [UInt8] {
        let data = try OCSPResponseEncoder.responseData(
            responderKeyHash: responderKeyHash, producedAt: thisUpdate, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
            singles: [.init(certID: certID, status: status)], nonce: nonce)
        let algorithm = try OCSPSignatureAlgorithmCoding.algorithm(for: key.publicKey)
        let signature = try await key.signAsynchronously(bytes: data, signatureAlgorithm: algorithm)
        return OCSPResponseEncoder.successful(
            responseData: data, signatureAlgorithm: try OCSPSignatureAlgorithmCoding.algorithmIdentifier(algorithm),
            signature: signature.rawRepresentation,
            certificates: certificates.isEmpty
                ? [] : OCSPResponseEncoder.certificatesField(certificates.map(TrustTestPKI.der)))
    }

    /// `ResponderID.byKey` of `certificate`.
    static func keyHash(_ certificate: Certificate) throws -> [UInt8] {
        try OCSPIssuer(certificate: certificate).keyIdentifier
    }
}
