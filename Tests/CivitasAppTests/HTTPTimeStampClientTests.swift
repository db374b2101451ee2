import CivitasApp
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import StorageTesting
import Testing
import Trust

/// The RFC 3161 HTTP client against real servers on loopback: the node's own `/tsa`, and a deliberately misbehaving
/// Hummingbird server for every way a TSA can fail to answer.
@Suite("RFC 3161 client over HTTP")
struct HTTPTimeStampClientTests {
    static let data = Array("the civil register, page 17".utf8)
    static let digest = Array(SHA256.hash(data: data))

    /// A live node over a fresh SQLite database with an initialised PKI; `body` gets its `/tsa` URL and the root.
    static func withLiveNode<T: Sendable>(
        _ body: @escaping @Sendable (URL, NationalPKI) async throws -> T
    ) async throws -> T {
        var configuration = NodeConfiguration()
        configuration.dataDirectory =
            FileManager.default.temporaryDirectory.appendingPathComponent("civitas-node-\(UUID().uuidString)").path
        configuration.keyEncryptionKey = KeyEncryptionKey.generate().base64
        let settings = configuration
        return try await TestDatabase.with(.sqlite, migrations: Node.migrations(demo: false)) { database in
            let pki = try Node.nationalPKI(settings, database: database, logger: TestDatabase.logger)
            try await pki.initialise()
            let application = try await Node.buildApplication(
                configuration: settings, database: database, logger: TestDatabase.logger)
            return try await application.test(.live) { client in
                let port = try #require(client.port)
                return try await body(URL(string: "http://localhost:\(port)/tsa")!, pki)
            }
        }
    }

    /// A TSA that answers wrongly in every way a real one might; `body` gets its base URL.
    static func withMisbehavingTSA<T: Sendable>(
        _ body: @escaping @Sendable (String) async throws -> T
    ) async throws -> T {
        let router = Router()
        router.post("/error") { _, _ in
            Response(
                status: .internalServerError, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "boom")))
        }
        router.post("/slow") { _, _ in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok, headers: [.contentType: "application/timestamp-reply"])
        }
        router.post("/trickle") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/timestamp-reply"],
                body: .init { writer in
                    for _ in 0..<20 {
                        try await writer.write(ByteBuffer(bytes: [0x30]))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await writer.finish(nil)
                })
        }
        router.post("/huge") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/timestamp-reply"],
                body: .init(byteBuffer: ByteBuffer(repeating: 0x30, count: 2 * 1024 * 1024)))
        }
        router.post("/huge-chunked") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/timestamp-reply"],
                body: .init { writer in
                    for _ in 0..<64 { try await writer.write(ByteBuffer(repeating: 0x30, count: 32 * 1024)) }
                    try await writer.finish(nil)
                })
        }
        router.post("/html") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html></html>")))
        }
        router.post("/garbage") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/timestamp-reply"],
                body: .init(byteBuffer: ByteBuffer(string: "not DER")))
        }
        var logger = Logger(label: "misbehaving-tsa")
        logger.logLevel = .critical
        let application = Application(router: router, logger: logger)
        return try await application.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://localhost:\(port)")
        }
    }

    static func query(nonce: [UInt8]? = TimeStampRequest.randomNonce()) -> [UInt8] {
        TimeStampRequest.make(digest: digest, nonce: nonce, certReq: true)
    }

    /// Runs `operation` and returns the TrustError it throws (or records an issue if it throws another or none).
    static func trustError(_ operation: () async throws -> Void) async -> TrustError? {
        do {
            try await operation()
            Issue.record("expected a TrustError, got a reply")
            return nil
        } catch let error as TrustError {
            return error
        } catch {
            Issue.record("expected a TrustError, got \(error)")
            return nil
        }
    }

    @Test("the node's /tsa grants a time-stamp that the verifier accepts against the national root")
    func grantedFromTheNode() async throws {
        try await Self.withLiveNode { url, pki in
            let root = try await pki.certificate(role: .root).certificate
            let nonce = TimeStampRequest.randomNonce()
            let query = Self.query(nonce: nonce)
            let verified = try await HTTPTimeStampClient.withClient(url: url) { client in
                let first = try await client.reply(to: query)
                // A second request over the same client (and pooled connection) works too.
                let second = try await client.reply(to: query)
                #expect(try TimeStampResponse(derEncoded: second).status == .granted)
                return try await TimeStampVerifier(trustAnchors: [root])
                    .verify(reply: first, expecting: .init(query: query))
            }
            #expect(verified.nonce == nonce)
            #expect(verified.policy == NationalPKI.timeStampPolicy)
            #expect(verified.chain.count == 3)
            #expect(abs(verified.genTime.timeIntervalSinceNow) < 60)
        }
    }

    @Test("a rejection is a reply like any other, not an error")
    func rejectionIsAReply() async throws {
        try await Self.withLiveNode { url, _ in
            let reply = try await HTTPTimeStampClient.withClient(url: url) { client in
                try await client.reply(to: [0x30, 0x03, 0x02, 0x01, 0x01])
            }
            let response = try TimeStampResponse(derEncoded: reply)
            #expect(response.status == .rejection)
            #expect(response.failureInfo.contains(.badDataFormat))
        }
    }

    @Test("a TSA answering 500 is a tsaBadReply naming the URL and the status")
    func serverError() async throws {
        try await Self.withMisbehavingTSA { base in
            let url = URL(string: base + "/error")!
            let error = await Self.trustError {
                _ = try await HTTPTimeStampClient.withClient(url: url) { try await $0.reply(to: Self.query()) }
            }
            #expect(error?.code == .tsaBadReply)
            #expect(error?.message.contains(url.absoluteString) == true)
            #expect(error?.message.contains("500") == true)
        }
    }

    // No wall-clock bound in these: a loaded test pool delays timers, and the error itself tells which ended
    // first (had the server's answer arrived, the reply would be a tsaBadReply for its empty or cut body).
    @Test("a TSA slower than the request timeout is a tsaUnreachable that says so")
    func slowTSA() async throws {
        try await Self.withMisbehavingTSA { base in
            let url = URL(string: base + "/slow")!
            let limits = HTTPTimeStampClient.Configuration(requestTimeout: .milliseconds(300))
            let error = await Self.trustError {
                _ = try await HTTPTimeStampClient.withClient(url: url, configuration: limits) {
                    try await $0.reply(to: Self.query())
                }
            }
            #expect(error?.code == .tsaUnreachable)
            #expect(error?.message.contains("did not answer within 0.3 s") == true)
            #expect(error?.message.contains(url.absoluteString) == true)
        }
    }

    @Test("a TSA that sends the head at once and then trickles its body is cut off at the same timeout")
    func tricklingTSA() async throws {
        try await Self.withMisbehavingTSA { base in
            let url = URL(string: base + "/trickle")!
            let limits = HTTPTimeStampClient.Configuration(requestTimeout: .milliseconds(500))
            let error = await Self.trustError {
                _ = try await HTTPTimeStampClient.withClient(url: url, configuration: limits) {
                    try await $0.reply(to: Self.query())
                }
            }
            #expect(error?.code == .tsaUnreachable)
            #expect(error?.message.contains("did not answer within 0.5 s") == true, "\(String(describing: error))")
        }
    }

    @Test("a reply over the size cap is refused, announced or chunked", arguments: ["/huge", "/huge-chunked"])
    func tooLarge(path: String) async throws {
        try await Self.withMisbehavingTSA { base in
            let url = URL(string: base + path)!
            let limits = HTTPTimeStampClient.Configuration(maximumReplySize: 64 * 1024)
            let error = await Self.trustError {
                _ = try await HTTPTimeStampClient.withClient(url: url, configuration: limits) {
                    try await $0.reply(to: Self.query())
                }
            }
            #expect(error?.code == .tsaBadReply)
            #expect(error?.message.contains("65536") == true)
        }
    }

    @Test("a reply of another content type, or not a TimeStampResp, is a tsaBadReply")
    func notAReply() async throws {
        try await Self.withMisbehavingTSA { base in
            for (path, needle) in [("/html", "text/html"), ("/garbage", "not a reply")] {
                let url = URL(string: base + path)!
                let error = await Self.trustError {
                    _ = try await HTTPTimeStampClient.withClient(url: url) { try await $0.reply(to: Self.query()) }
                }
                #expect(error?.code == .tsaBadReply)
                #expect(error?.message.contains(needle) == true, "\(String(describing: error))")
            }
        }
    }

    @Test("a port nobody listens on is a tsaUnreachable that says connection refused, naming the URL")
    func connectionRefused() async throws {
        // A port that was just served and is now closed.
        let base = try await Self.withMisbehavingTSA { base in base }
        let url = URL(string: base + "/tsa")!
        let error = await Self.trustError {
            _ = try await HTTPTimeStampClient.withClient(url: url) { try await $0.reply(to: Self.query()) }
        }
        #expect(error?.code == .tsaUnreachable)
        #expect(error?.message.contains(url.absoluteString) == true)
        #expect(error?.message.contains("connection refused") == true, "\(String(describing: error))")
    }

    @Test("a URL that is not http(s), or limits that are not positive, are refused up front")
    func badSettings() async throws {
        #expect(throws: TrustError.self) { try HTTPTimeStampClient(url: URL(string: "ftp://tsa.example/")!) }
        #expect(throws: TrustError.self) { try HTTPTimeStampClient(url: URL(string: "file:///tmp/tsa")!) }
        #expect(throws: TrustError.self) {
            try HTTPTimeStampClient(
                url: URL(string: "http://127.0.0.1/tsa")!,
                configuration: .init(requestTimeout: .zero))
        }
    }

    @Test("shutting a client down twice is harmless")
    func shutdownTwice() async throws {
        let client = try HTTPTimeStampClient(url: URL(string: "http://127.0.0.1:9/tsa")!)
        try await client.shutdown()
        try await client.shutdown()
    }
}
