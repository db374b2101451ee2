import Audit
import CivitasApp
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import StorageTesting
import Testing
import Trust

@Suite("Time-stamping over HTTP")
struct TimeStampingHTTPTests {
    static let query = TimeStampRequest.make(digest: Array(SHA256.hash(data: Data("document".utf8))))

    @Test(
        "a query answers with a granted reply, and the token's imprint is the query's",
        arguments: DatabaseEngine.allCases)
    func granted(engine: DatabaseEngine) async throws {
        try await TestNode.with(engine) { client, database, configuration in
            try await Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger).initialise()
            let response = try await client.execute(
                uri: "/tsa", method: .post, headers: [.contentType: "application/timestamp-query"],
                body: ByteBuffer(bytes: Self.query))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/timestamp-reply")
            let reply = try TimeStampResponse(derEncoded: Array(response.body.readableBytesView))
            #expect(reply.status == .granted)
            #expect(reply.tokenInfo?.hashedMessage == Array(SHA256.hash(data: Data("document".utf8))))
        }
    }

    @Test("garbage gets a rejection reply, not an error page")
    func rejection() async throws {
        try await TestNode.with { client, database, configuration in
            try await Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger).initialise()
            let response = try await client.execute(
                uri: "/tsa", method: .post, headers: [.contentType: "application/timestamp-query"],
                body: ByteBuffer(bytes: [0x30, 0x03, 0x02, 0x01]))
            #expect(response.status == .ok)
            let reply = try TimeStampResponse(derEncoded: Array(response.body.readableBytesView))
            #expect(reply.status == .rejection)
            #expect(reply.failureInfo.contains(.badDataFormat))
        }
    }

    @Test("a query of the wrong media type is 415; before pki init the TSA is 503")
    func refused() async throws {
        try await TestNode.with { client, _, _ in
            let wrongType = try await client.execute(
                uri: "/tsa", method: .post, headers: [.contentType: "application/json", .accept: "application/json"],
                body: ByteBuffer(bytes: Self.query))
            #expect(wrongType.status == .unsupportedMediaType)
            let early = try await client.execute(
                uri: "/tsa", method: .post, headers: [.contentType: "application/timestamp-query"],
                body: ByteBuffer(bytes: Self.query))
            #expect(early.status == .serviceUnavailable)
            #expect(String(buffer: early.body).contains("pki-not-initialised"))
        }
    }
}
