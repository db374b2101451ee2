import CivitasCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Trust

@testable import Exchange

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A real RFC 3161 TSA over HTTP on loopback that can be stopped and started again on the same port.
actor LoopbackTSA {
    private let authority: TimeStampAuthority
    private var running: (group: ServiceGroup, task: Task<Void, any Error>)?
    private(set) var port = 0

    init(authority: TimeStampAuthority) { self.authority = authority }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/tsa")! }

    /// Starts the server: on a free port the first time, on the same port afterwards.
    func start() async throws {
        precondition(running == nil, "the TSA is running already")
        let authority = self.authority
        let router = Router()
        router.post("/tsa") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let reply = await authority.respond(to: Array(body.readableBytesView), at: Date())
            return Response(
                status: .ok, headers: [.contentType: "application/timestamp-reply"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "loopback-tsa")
        logger.logLevel = .critical
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
        let task = Task { try await group.run() }
        running = (group, task)
        for await bound in stream {
            port = bound
            break
        }
    }

    /// Stops the server and waits until its port is closed.
    func stop() async throws {
        guard let running else { return }
        await running.group.triggerGracefulShutdown()
        try await running.task.value
        self.running = nil
    }
}

/// What the tests log: a request and its response with real e-seals.
enum MessageLogSamples {
    static let client = "CIVITAS/GOV/70000001/portal"
    static let service = "CIVITAS/GOV/70000002/population/persons"

    static func request(
        _ id: String, pki: MessageLogTestPKI = .shared, body: [UInt8]? = nil
    ) async throws
        -> MessageLogEntry
    {
        let headers = Array("x-road-id: \(id)\nx-road-client: \(client)\nx-road-service: \(service)\n".utf8)
        return MessageLogEntry(
            messageID: id, client: client, service: service, direction: .request, signedHeaders: headers,
            body: body ?? Array("{\"personalNumber\":\"01024054863\"}".utf8),
            signature: try await pki.seal(headers, byProvider: false))
    }

    static func response(_ id: String, pki: MessageLogTestPKI = .shared) async throws -> MessageLogEntry {
        let headers = Array("x-road-id: \(id)\nx-road-request-hash: cmVxdWVzdA==\n".utf8)
        return MessageLogEntry(
            messageID: id, client: client, service: service, direction: .response, signedHeaders: headers,
            body: Array("{\"name\":\"Nino\",\"surname\":\"Beridze\"}".utf8),
            signature: try await pki.seal(headers, byProvider: true), requestHash: "cmVxdWVzdA==")
    }

    /// A configuration over a fresh archive directory.
    static func configuration(
        // Long by default: on a loaded test machine appending a few sealed records can take a real minute.
        maximumUnstampedAge: Duration = .seconds(3600), maximumBatchSize: Int = 10_000,
        retention: Duration = .seconds(30 * 86_400)
    ) -> MessageLogConfiguration {
        MessageLogConfiguration(
            maximumUnstampedAge: maximumUnstampedAge, maximumBatchSize: maximumBatchSize, retention: retention,
            archiveDirectory: FileManager.default.temporaryDirectory.appendingPathComponent(
                "civitas-archive-\(UUID().uuidString)"))
    }
}
