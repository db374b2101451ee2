public import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import Storage
import Synchronization
public import Web

/// `POST /tsa`: the RFC 3161 time-stamp authority over HTTP (RFC 3161 §3.4).
///
/// Queries are `application/timestamp-query`; every parsed or unparsable query is answered with an
/// `application/timestamp-reply` (a rejection carries the PKIFailureInfo), so a client always learns why.
/// The authority is loaded on first use, so a node started before `civitas pki init` serves it once the PKI
/// exists.
public struct TimeStampingRoutes: Sendable {
    private let service: TimeStampingService
    /// Largest query accepted (a TimeStampReq with a SHA-512 imprint and a nonce is about 100 bytes).
    static let maximumQuerySize = 16 * 1024

    /// Creates the routes over `pki`.
    public init(pki: NationalPKI, database: Database, clock: any WallClock = SystemClock()) {
        self.service = TimeStampingService(
            pki: pki, serials: SerialAllocator(database: database, name: "tsa"), clock: clock)
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.add(.post, "/tsa", csrf: .exempt) { request, context in
            let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/timestamp-query" else {
                throw HTTPProblem(
                    .unsupportedMediaType, code: "unsupported-media-type",
                    detail: "Send an RFC 3161 TimeStampReq with Content-Type: application/timestamp-query.")
            }
            var request = request
            let body = try await request.collectBody(upTo: Self.maximumQuerySize)
            let outcome = try await service.respond(to: Array(body.readableBytesView))
            if let error = outcome.error {
                context.logger.info("time-stamp query rejected", metadata: ["reason": "\(error)"])
            }
            return Response(
                status: .ok, headers: [.contentType: "application/timestamp-reply", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: outcome.responseDER)))
        }
    }
}

/// Holds the authority once loaded; the hot path reads it under a lock instead of hopping to an actor.
final class TimeStampingService: Sendable {
    private let pki: NationalPKI
    private let serials: SerialAllocator
    private let clock: any WallClock
    private let authority = Mutex<TimeStampAuthority?>(nil)

    init(pki: NationalPKI, serials: SerialAllocator, clock: any WallClock) {
        self.pki = pki
        self.serials = serials
        self.clock = clock
    }

    func respond(to query: [UInt8]) async throws -> TimeStampAuthority.Outcome {
        let authority = try await loaded()
        return await authority.process(query, at: clock.now())
    }

    private func loaded() async throws -> TimeStampAuthority {
        if let cached = authority.withLock({ $0 }) { return cached }
        do {
            // Two first requests may both load; they load the same authority, and either copy serves.
            let loaded = try await pki.timeStampAuthority(serials: serials)
            authority.withLock { $0 = loaded }
            return loaded
        } catch let error as TrustError where error.code == .notInitialised {
            throw HTTPProblem(
                .serviceUnavailable, code: "pki-not-initialised",
                detail: "The time-stamping unit has no certificate yet; the operator runs civitas pki init.")
        }
    }
}

extension TimeStampingService: TimeStampSource {
    /// Answers in process with the PKI's time-stamping unit, loaded on first use.
    func reply(to query: [UInt8]) async throws -> [UInt8] {
        try await respond(to: query).responseDER
    }
}
