import Crypto
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import SwiftASN1
import Testing
import X509

@testable import Exchange

@Suite("Exchange node TLS")
struct NodeTLSTests {
    let pki = NodeTLSTestPKI.shared

    /// A client for `credentials` trusting the test root.
    func client(_ credentials: NodeCredentials, trusting roots: [Certificate]? = nil) -> NodeHTTPClient {
        NodeHTTPClient(credentials: credentials, trustRoots: roots ?? [pki.root])
    }

    func get(_ path: String) -> HTTPRequest {
        HTTPRequest(method: .get, scheme: "https", authority: "node-b.test", path: path)
    }

    func post(_ path: String) -> HTTPRequest {
        HTTPRequest(
            method: .post, scheme: "https", authority: "node-b.test", path: path,
            headerFields: [.contentType: "application/octet-stream"])
    }

    /// Runs `body` with the server presenting node B's certificate and trusting the test root.
    func withNodeB<Result: Sendable>(
        acceptsPeer: @escaping @Sendable (Certificate) -> Bool = { _ in true },
        _ body: (NodeTestServer) async throws -> Result
    ) async throws -> Result {
        try await NodeTestServer.with(pki.nodeB, trustRoots: [pki.root], acceptsPeer: acceptsPeer, body)
    }

    /// The error a call throws, failing the test if it does not throw one.
    func failure(
        _ client: NodeHTTPClient, _ request: HTTPRequest, to address: NodeAddress, expecting: [Certificate],
        responseLimit: Int = 1 << 20, timeout: Duration = .seconds(20)
    ) async -> ExchangeError? {
        do {
            let response = try await client.send(
                request, body: MessageBody(), to: address, expecting: expecting, responseLimit: responseLimit,
                timeout: timeout)
            Issue.record("expected the call to fail, but it answered \(response.status)")
            return nil
        } catch {
            return error
        }
    }

    // MARK: - A node calling a node

    @Test("a node calls the node it pinned: 200, and the server saw the caller's certificate")
    func callsThePinnedNode() async throws {
        let signaturesBefore = pki.nodeBKey.signatures
        try await withNodeB { server in
            let client = client(pki.nodeA)
            let response = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            await client.shutdown()
            #expect(response.status == .ok)
            #expect(String(decoding: response.body.held, as: UTF8.self).contains("CN=GOV 70000001 node A"))
            let calls = server.record.calls
            #expect(calls.count == 1)
            #expect(calls.first?.peer == pki.nodeA.certificate)
            #expect(server.record.askedAbout == [pki.nodeA.certificate])
        }
        // The server's key lives in a stand-in HSM: the handshake's CertificateVerify was signed through it.
        #expect(pki.nodeBKey.signatures > signaturesBefore)
    }

    @Test("a request body of 1 byte and of 100 KB comes back byte for byte", arguments: [1, 100 * 1024])
    func bodiesRoundTrip(size: Int) async throws {
        let body = (0..<size).map { _ in UInt8.random(in: 0...255) }
        try await withNodeB { server in
            let client = client(pki.nodeA)
            let response = try await client.send(
                post("/echo"), body: MessageBody(body), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 1 << 20, timeout: .seconds(20))
            await client.shutdown()
            #expect(response.status == .ok)
            #expect(response.body.held == body)
            #expect(response.headerFields[HTTPField.Name("X-Peer")!]?.contains("node A") == true)
        }
    }

    @Test(
        "a spooled body streams from its file and the answer to a spool, even echoed as it goes; the connection stays",
        arguments: ["/echo", "/echo-streaming"])
    func streamsSpooledBodies(path: String) async throws {
        let spool = BodySpool(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("civitas-spool-\(UUID())"),
            memoryLimit: 64 * 1024)
        defer { try? FileManager.default.removeItem(at: spool.directory) }
        // Up to the echo's 1 MiB when it collects; many times the connection's buffers when it streams.
        let size = path == "/echo" ? 1_000_000 : 8_000_000
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let upload = try await spool.receive(MessageBody(bytes).chunks(size: 100_000), limit: .max)
        #expect(upload.inMemory == nil)
        try await withNodeB { server in
            let client = client(pki.nodeA)
            let response = try await client.send(
                post(path), body: upload, to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 16 << 20, timeout: .seconds(60), spool: spool)
            #expect(response.status == .ok)
            #expect(response.body.inMemory == nil)
            #expect(response.body == MessageBody(bytes))
            #expect(try await response.body.bytes() == bytes)
            let again = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            await client.shutdown()
            #expect(again.status == .ok)
            let ports = server.record.calls.map(\.remotePort)
            #expect(ports.count == 2 && ports[0] == ports[1], "one connection for both calls: \(ports)")
        }
    }

    @Test("sequential calls reuse one connection; other expected certificates get a connection of their own")
    func keepsConnectionsAlive() async throws {
        try await withNodeB { server in
            let client = client(pki.nodeA)
            for _ in 0..<2 {
                let response = try await client.send(
                    get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                    responseLimit: 4096, timeout: .seconds(20))
                #expect(response.status == .ok)
            }
            let widened = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address,
                expecting: [pki.nodeA.certificate, pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            #expect(widened.status == .ok)
            #expect(client.idleConnections.count == 2)
            await client.shutdown()
            let ports = server.record.calls.map(\.remotePort)
            #expect(ports.count == 3)
            #expect(ports[0] != nil && ports[0] == ports[1], "the second call came on the first call's connection")
            #expect(ports[2] != ports[0], "a different set of expected certificates is a different pool")
        }
    }

    @Test("a connection the server said it closes, or closed while idle, is not reused")
    func doesNotReuseClosedConnections() async throws {
        try await withNodeB { server in
            let client = client(pki.nodeA)
            let bye = try await client.send(
                get("/bye"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096,
                timeout: .seconds(20))
            #expect(bye.status == .ok)
            #expect(client.idleConnections.isEmpty)
            _ = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            let idle = client.idleConnections
            #expect(idle.count == 1)

            // The server ends the idle connection (its TLS close_notify); the client closes its side at once and
            // must not pick it again. (Not awaiting the server's own close: NIOSSL there waits out its shutdown
            // timeout for our close_notify, which Hummingbird no longer reads after an outside close.)
            let serverSide = try #require(server.record.calls.last?.channel)
            serverSide.close(promise: nil)
            for channel in idle { try await channel.closeFuture.get() }
            #expect(client.idleConnections.isEmpty)
            let again = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            #expect(again.status == .ok)
            await client.shutdown()
            let ports = server.record.calls.map(\.remotePort)
            #expect(ports.count == 3)
            #expect(Set(ports).count == 3, "each call needed a connection of its own")
        }
    }

    @Test("a node on P-384 calls and is recognised")
    func p384Node() async throws {
        try await withNodeB { server in
            let client = client(pki.nodeP384)
            let response = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            await client.shutdown()
            #expect(response.status == .ok)
            #expect(server.record.calls.first?.peer == pki.nodeP384.certificate)
        }
    }

    // MARK: - The client refuses the server

    @Test("a server presenting another registered node's certificate than the pinned one is refused before the request")
    func refusesAnUnpinnedServer() async throws {
        // The server is node B; the caller expects node A there.
        try await withNodeB { server in
            let client = client(pki.nodeA)
            let error = await failure(client, get("/whoami"), to: server.address, expecting: [pki.nodeA.certificate])
            await client.shutdown()
            #expect(error?.code == .peerRefused)
            #expect(error?.message.contains("GOV 70000002 node B") == true)
            #expect(error?.message.contains("not one registered") == true)
            #expect(error?.message.contains(server.address.description) == true)
            #expect(server.record.calls.isEmpty, "the server's handler never ran")
        }
    }

    @Test("a server whose chain does not lead to the client's trust roots is refused, saying so")
    func refusesAServerOutsideTheTrustRoots() async throws {
        try await withNodeB { server in
            let client = client(pki.nodeA, trusting: [pki.otherRoot])
            let error = await failure(client, get("/whoami"), to: server.address, expecting: [pki.nodeB.certificate])
            await client.shutdown()
            #expect(error?.code == .peerRefused)
            #expect(error?.message.contains("to a trusted root") == true)
            #expect(server.record.calls.isEmpty)
        }
    }

    @Test("a server certificate without serverAuth is refused even when pinned")
    func refusesAServerCertificateWithoutServerAuth() async throws {
        try await NodeTestServer.with(pki.clientOnly, trustRoots: [pki.root]) { server in
            let client = client(pki.nodeA)
            let error = await failure(
                client, get("/whoami"), to: server.address, expecting: [pki.clientOnly.certificate])
            await client.shutdown()
            #expect(error?.code == .peerRefused)
            #expect(error?.message.contains("serverAuth") == true)
            #expect(server.record.calls.isEmpty)
        }
    }

    // MARK: - The server refuses the caller

    @Test("a caller whose certificate comes from another root is refused in the handshake")
    func serverRefusesACallerFromAnotherRoot() async throws {
        try await withNodeB { server in
            let client = client(pki.rogue)
            let error = await failure(client, get("/whoami"), to: server.address, expecting: [pki.nodeB.certificate])
            await client.shutdown()
            // In TLS 1.3 the client has finished its handshake when the server refuses it: the refusal arrives as
            // an alert or as the connection closing, whichever the client reads first.
            #expect(error?.code == .handshakeFailed || error?.code == .networkError)
            #expect(server.record.calls.isEmpty, "the server's handler never ran")
            #expect(server.record.askedAbout.isEmpty, "the chain failed before the registration was asked")
            #expect(server.record.log.contains { $0.contains("refused") && $0.contains("trusted root") })
        }
    }

    @Test("a caller that acceptsPeer turns down is refused; the one it takes gets through")
    func serverRefusesAnUnregisteredCaller() async throws {
        let registered = pki.nodeA.certificate
        try await withNodeB(acceptsPeer: { $0 == registered }) { server in
            let stranger = client(pki.nodeP384)
            let error = await failure(stranger, get("/whoami"), to: server.address, expecting: [pki.nodeB.certificate])
            await stranger.shutdown()
            #expect(error?.code == .handshakeFailed || error?.code == .networkError)
            #expect(server.record.calls.isEmpty)
            #expect(server.record.askedAbout == [pki.nodeP384.certificate])
            #expect(server.record.log.contains { $0.contains("not registered") && $0.contains("node P-384") })

            let known = client(pki.nodeA)
            let response = try await known.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            await known.shutdown()
            #expect(response.status == .ok)
            #expect(server.record.calls.map(\.peer) == [registered])
        }
    }

    @Test("a caller certificate without clientAuth is refused")
    func serverRefusesACallerWithoutClientAuth() async throws {
        try await withNodeB { server in
            let client = client(pki.serverOnly)
            let error = await failure(client, get("/whoami"), to: server.address, expecting: [pki.nodeB.certificate])
            await client.shutdown()
            #expect(error?.code == .handshakeFailed || error?.code == .networkError)
            #expect(server.record.calls.isEmpty)
            #expect(server.record.log.contains { $0.contains("clientAuth") })
        }
    }

    // MARK: - Limits and failures

    @Test(
        "an answer over the limit fails cleanly, announced or streamed, and the next call works",
        arguments: [
            "/large", "/streamed",
        ])
    func refusesAnswersOverTheLimit(path: String) async throws {
        try await withNodeB { server in
            let client = client(pki.nodeA)
            let error = await failure(
                client, get(path), to: server.address, expecting: [pki.nodeB.certificate], responseLimit: 1024)
            #expect(error?.code == .responseTooLarge)
            #expect(error?.message.contains("1024 bytes") == true)
            #expect(client.idleConnections.isEmpty, "the connection was dropped, not kept half-read")
            let response = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            #expect(response.status == .ok)
            let ports = server.record.calls.map(\.remotePort)
            #expect(ports.count == 2 && ports[0] != ports[1])

            // Control: under a large enough limit the same answer arrives whole (and, streamed, without a length).
            let whole = try await client.send(
                get(path), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 1 << 20,
                timeout: .seconds(20))
            await client.shutdown()
            #expect(whole.body.count == 64 * 1024)
            #expect((whole.headerFields[.contentLength] == nil) == (path == "/streamed"))
        }
    }

    @Test("a node nobody listens for is a network error naming the address")
    func unreachableNode() async throws {
        // A port that was just free: bind, note it, close.
        let listener = try await SilentListener.start()
        let port = listener.port
        await listener.stop()
        let address = try NodeAddress("127.0.0.1:\(port)")
        let client = client(pki.nodeA)
        let error = await failure(client, get("/whoami"), to: address, expecting: [pki.nodeB.certificate])
        await client.shutdown()
        #expect(error?.code == .networkError)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(error?.message.contains("refused") == true)
    }

    @Test("a node that accepts the connection and never speaks TLS times out within the deadline")
    func silentNodeTimesOut() async throws {
        let listener = try await SilentListener.start()
        let address = try NodeAddress("127.0.0.1:\(listener.port)")
        let client = client(pki.nodeA)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await failure(
            client, get("/whoami"), to: address, expecting: [pki.nodeB.certificate], timeout: .milliseconds(500))
        let elapsed = clock.now - start
        await client.shutdown()
        await listener.stop()
        #expect(error?.code == .networkError)
        #expect(error?.message.contains("timed out") == true)
        #expect(error?.message.contains(address.description) == true)
        #expect(
            elapsed >= .milliseconds(450) && elapsed < .seconds(20),
            "the deadline held; the upper bound only rules out waiting for a default")
    }

    @Test("a node that takes the request and never answers times out within the deadline")
    func nodeThatNeverAnswersTimesOut() async throws {
        try await withNodeB { server in
            let client = client(pki.nodeA)
            // The handshake first, on a call that answers: the deadline below then measures only the
            // wait for an answer, however busy the machine is.
            _ = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            let clock = ContinuousClock()
            let start = clock.now
            let error = await failure(
                client, get("/hang"), to: server.address, expecting: [pki.nodeB.certificate],
                timeout: .milliseconds(1500))
            let elapsed = clock.now - start
            var waited = Duration.zero
            while server.record.calls.count < 2 && waited < .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
                waited += .milliseconds(20)
            }
            server.gate.open()
            await client.shutdown()
            #expect(error?.code == .networkError)
            #expect(error?.message.contains("no complete answer") == true)
            #expect(elapsed >= .milliseconds(1400) && elapsed < .seconds(20))
            #expect(server.record.calls.map(\.path) == ["/whoami", "/hang"], "the request did reach the server")
            #expect(client.idleConnections.isEmpty)
        }
    }

    @Test("credentials whose key is not the certificate's are refused on both sides")
    func refusesMismatchedCredentials() async throws {
        let mismatched = NodeCredentials(
            key: Certificate.PrivateKey(P256.Signing.PrivateKey()), certificate: pki.nodeA.certificate,
            chain: pki.nodeA.chain)
        #expect(throws: ExchangeError.self) {
            try NodeTLS.serverConfiguration(credentials: mismatched, trustRoots: [pki.root], acceptsPeer: { _ in true })
        }
        let client = client(mismatched)
        let nowhere = try NodeAddress("127.0.0.1:9")
        let error = await failure(client, get("/whoami"), to: nowhere, expecting: [pki.nodeB.certificate])
        #expect(error?.code == .invalidRecord)
    }

    @Test("after shutdown the idle connections are closed and calls fail")
    func shutsDown() async throws {
        try await withNodeB { server in
            let client = client(pki.nodeA)
            _ = try await client.send(
                get("/whoami"), body: MessageBody(), to: server.address, expecting: [pki.nodeB.certificate],
                responseLimit: 4096, timeout: .seconds(20))
            let idle = client.idleConnections
            #expect(idle.count == 1)
            await client.shutdown()
            #expect(idle.allSatisfy { !$0.isActive })
            #expect(client.idleConnections.isEmpty)
            let error = await failure(client, get("/whoami"), to: server.address, expecting: [pki.nodeB.certificate])
            #expect(error?.code == .networkError)
            #expect(server.record.calls.count == 1)
        }
    }

    // MARK: - Interoperability

    @Test("openssl s_client with node A's certificate gets an answer; without a certificate it is refused")
    func opensslInterop() async throws {
        let openssl = "/usr/bin/openssl"
        try #require(FileManager.default.isExecutableFile(atPath: openssl), "openssl is not installed")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("civitas-nodetls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let root = try write("root.pem", pki.root.serializeAsPEM().pemString)
        let chain = try write("ca.pem", pki.issuingCA.serializeAsPEM().pemString)
        let certificate = try write("A.pem", pki.nodeA.certificate.serializeAsPEM().pemString)
        let key = try write("A.key", pki.nodeAKey.pemRepresentation)
        let request = "GET /whoami HTTP/1.1\r\nHost: node-b.test\r\nConnection: close\r\n\r\n"

        try await withNodeB { server in
            let common = ["s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", root, "-verify_return_error"]
            for version in ["-tls1_3", "-tls1_2"] {
                let withCertificate = try await runProgram(
                    openssl, common + [version, "-quiet", "-cert", certificate, "-key", key, "-cert_chain", chain],
                    input: request)
                #expect(withCertificate.output.hasPrefix("HTTP/1.1 200"), "\(version): \(withCertificate.error)")
                #expect(withCertificate.output.contains("CN=GOV 70000001 node A"), "\(version)")
            }
            #expect(server.record.calls.map(\.peer) == [pki.nodeA.certificate, pki.nodeA.certificate])

            for version in ["-tls1_3", "-tls1_2"] {
                let anonymous = try await runProgram(openssl, common + [version, "-quiet"], input: request)
                #expect(!anonymous.output.contains("HTTP/1.1"), "\(version): \(anonymous.output)")
                #expect(anonymous.error.contains("alert"), "\(version): \(anonymous.error)")
                if version == "-tls1_2" { #expect(anonymous.status != 0) }
            }
            #expect(server.record.calls.count == 2, "no handler ran for the callers without a certificate")
        }
    }
}
