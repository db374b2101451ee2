import Exchange
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StorageTesting
import Synchronization
import X509

/// A request context that keeps the connection's channel, so a handler can ask who is calling.
struct NodeTestRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// What the test server saw: every request a handler ran for, with the caller's certificate and connection.
final class NodeServerRecord: Sendable {
    struct Call: Sendable {
        let path: String
        let peer: Certificate?
        /// The caller's port: one per TCP connection.
        let remotePort: Int?
        let channel: any Channel
    }

    private let state = Mutex<[Call]>([])
    private let accepted = Mutex<[Certificate]>([])
    private let logLines = Mutex<[String]>([])

    var calls: [Call] { state.withLock { $0 } }
    /// The leaves `acceptsPeer` was asked about.
    var askedAbout: [Certificate] { accepted.withLock { $0 } }
    /// What the TLS layer logged.
    var log: [String] { logLines.withLock { $0 } }

    func record(_ call: Call) { state.withLock { $0.append(call) } }
    func asked(_ certificate: Certificate) { accepted.withLock { $0.append(certificate) } }
    func logged(_ line: String) { logLines.withLock { $0.append(line) } }
}

/// Keeps what is logged to it, so the tests can read why the server refused a peer.
struct RecordingLogHandler: LogHandler {
    let record: NodeServerRecord
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        record.logged(([event.message.description] + metadata).joined(separator: " "))
    }
}

/// A real Hummingbird server on 127.0.0.1 with `NodeTLS.serverConfiguration`: the node under test.
struct NodeTestServer: Sendable {
    let port: Int
    let record: NodeServerRecord
    /// Opening it lets `/hang` answer.
    let gate: Gate

    var address: NodeAddress { try! NodeAddress("127.0.0.1:\(port)") }

    /// Runs `body` with a server presenting `credentials`, then stops it.
    static func with<Result: Sendable>(
        _ credentials: NodeCredentials, trustRoots: [Certificate],
        acceptsPeer: @escaping @Sendable (Certificate) -> Bool = { _ in true },
        _ body: (NodeTestServer) async throws -> Result
    ) async throws -> Result {
        let record = NodeServerRecord()
        let gate = Gate()
        var quiet = Logger(label: "node-tls-test")
        quiet.logLevel = .critical
        let tls = try NodeTLS.serverConfiguration(
            credentials: credentials, trustRoots: trustRoots,
            acceptsPeer: { leaf in
                record.asked(leaf)
                return acceptsPeer(leaf)
            },
            logger: Logger(label: "node-tls-test.tls") { _ in RecordingLogHandler(record: record) })

        let router = Router(context: NodeTestRequestContext.self)
        @Sendable func note(_ request: Request, _ context: NodeTestRequestContext) async -> Certificate? {
            let peer = await NodeTLS.peerCertificate(of: context.channel)
            record.record(
                .init(
                    path: request.uri.path, peer: peer, remotePort: context.channel.remoteAddress?.port,
                    channel: context.channel))
            return peer
        }
        router.post("/echo") { request, context -> Response in
            let peer = await note(request, context)
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(
                status: .ok, headers: [HTTPField.Name("X-Peer")!: peer.map { "\($0.subject)" } ?? "none"],
                body: .init(byteBuffer: body))
        }
        // Echoes each piece as it arrives: the answer flows while the request is still being sent.
        router.post("/echo-streaming") { request, context -> Response in
            _ = await note(request, context)
            return Response(status: .ok, body: .init(asyncSequence: request.body))
        }
        router.get("/whoami") { request, context -> String in
            let peer = await note(request, context)
            return peer.map { "\($0.subject)" } ?? "nobody"
        }
        router.get("/large") { request, context -> Response in
            _ = await note(request, context)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x61, count: 64 * 1024)))
        }
        router.get("/streamed") { request, context -> Response in
            _ = await note(request, context)
            // No content length: sent chunked, so only counting the bytes as they come can enforce a limit.
            return Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<64 { try await writer.write(ByteBuffer(repeating: 0x62, count: 1024)) }
                    try await writer.finish(nil)
                })
        }
        router.get("/bye") { request, context -> Response in
            _ = await note(request, context)
            return Response(
                status: .ok, headers: [.connection: "close"], body: .init(byteBuffer: ByteBuffer(string: "bye")))
        }
        router.get("/hang") { request, context -> String in
            _ = await note(request, context)
            await gate.wait()
            return "late"
        }

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, server: try .tls(.http1(), configuration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: quiet)
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }
                try await group.run()
            }
            var port = 0
            for await bound in ports {
                port = bound
                break
            }
            let server = NodeTestServer(port: port, record: record, gate: gate)
            do {
                guard port != 0 else { throw NodeTestFailure("the test server did not start") }
                let result = try await body(server)
                gate.open()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                gate.open()
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

struct NodeTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A TCP listener that accepts connections and never says a word: a node that hangs before TLS.
struct SilentListener: Sendable {
    let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> SilentListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentListener(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Runs a program to its end on a thread of its own (never blocking the test's executor), with `input` as its
/// standard input; `timeout(1)` kills it after `limit` seconds so that a test cannot hang.
func runProgram(
    _ path: String, _ arguments: [String], input: String, limit: Int = 30
) async throws -> (status: Int32, output: String, error: String) {
    let directory = FileManager.default.temporaryDirectory
    let inputFile = directory.appendingPathComponent("civitas-input-\(UUID().uuidString)")
    try Data(input.utf8).write(to: inputFile)
    defer { try? FileManager.default.removeItem(at: inputFile) }
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do {
                let (status, output, errors) = try Subprocess.run(
                    "/usr/bin/timeout", ["\(limit)", path] + arguments, input: inputFile, separateErrors: true)
                continuation.resume(returning: (status, output, errors))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

/// Holds requests until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
