import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// An RFC 3161 client over HTTP (RFC 3161 3.4): POSTs a DER TimeStampReq as `application/timestamp-query` to any
/// time-stamp authority's URL and returns the DER TimeStampResp it answers with.
///
/// One `HTTPClient` serves every request a client makes (its connections are pooled and kept alive), and it must be
/// shut down once: call ``shutdown()``, run the client as a `Service` in the node's service group (it shuts down when
/// the group does), or use ``withClient(url:configuration:_:)``, which shuts it down however the body ends.
///
/// Every failure to get a time-stamp reply is a ``TrustError`` naming the URL: `.tsaUnreachable` when there was no
/// answer (connection refused, connect or request timeout), `.tsaBadReply` when the answer was not a time-stamp
/// reply (a status other than 200, another content type, a body over the size cap, or bytes that are not a DER
/// TimeStampResp). A rejection by the TSA is a reply like any other: the caller reads its status.
public struct HTTPTimeStampClient: TimeStampSource, Service {
    /// Limits on one exchange with the TSA.
    public struct Configuration: Sendable, Hashable {
        /// How long a TCP (and TLS) connection may take to establish.
        public var connectTimeout: Duration
        /// How long the whole exchange may take, from the first connection attempt to the last byte of the reply
        /// body.
        public var requestTimeout: Duration
        /// The largest reply accepted, in bytes (a reply with a token and a chain of three certificates is 3 to
        /// 8 KiB).
        public var maximumReplySize: Int

        /// Creates a configuration.
        public init(
            connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(15),
            maximumReplySize: Int = 256 * 1024
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maximumReplySize = maximumReplySize
        }
    }

    /// The TSA's URL.
    public let url: URL
    /// The limits in force.
    public let configuration: Configuration

    private let client: HTTPClient

    /// The content types a reply may have: RFC 3161's, and the pre-RFC name some TSAs still send.
    static let replyContentTypes: Set<String> = ["application/timestamp-reply", "application/timestamp-response"]

    /// Creates a client for the TSA at `url` (http or https).
    ///
    /// - Throws: ``TrustError`` `.invalidRequest` for a URL that is not http(s) with a host, or a limit that is not
    ///   positive.
    public init(url: URL, configuration: Configuration = Configuration()) throws(TrustError) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw TrustError(.invalidRequest, "the TSA URL \(url.absoluteString) is not an http or https URL")
        }
        guard configuration.connectTimeout > .zero, configuration.requestTimeout > .zero,
            configuration.maximumReplySize > 0
        else {
            throw TrustError(.invalidRequest, "the TSA client's timeouts and reply size cap must be positive")
        }
        var settings = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(configuration.connectTimeout)),
            decompression: .disabled
        )
        // A refused connection is an answer: fail the request at once instead of retrying until the deadline.
        settings.connectionPool.retryConnectionEstablishment = false
        self.url = url
        self.configuration = configuration
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }

    /// Runs `body` with a new client and shuts the client down afterwards, whether `body` returns or throws.
    public static func withClient<Result: Sendable>(
        url: URL,
        configuration: Configuration = Configuration(),
        _ body: (HTTPTimeStampClient) async throws -> Result
    ) async throws -> Result {
        let client = try HTTPTimeStampClient(url: url, configuration: configuration)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// Sends a DER TimeStampReq and returns the DER TimeStampResp, granted or rejected.
    ///
    /// - Throws: ``TrustError`` `.tsaUnreachable` or `.tsaBadReply`, naming the URL (see the type's description).
    public func reply(to query: [UInt8]) async throws -> [UInt8] {
        let timeout = configuration.requestTimeout
        // AsyncHTTPClient's deadline ends when the response head arrives; the race holds the body to it as well, so
        // that a TSA trickling its reply is cut off at the same time as one that never answers.
        let bytes = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await exchange(query) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw TrustError(
                    .tsaUnreachable, "the TSA at \(url.absoluteString) did not answer within \(Self.seconds(timeout)) s"
                )
            }
            return bytes
        }
        do {
            _ = try TimeStampResponse(derEncoded: bytes)
        } catch {
            throw TrustError(
                .tsaBadReply, "the TSA at \(url.absoluteString) answered with something that is not a reply: \(error)")
        }
        return bytes
    }

    /// One POST and its whole reply body, within the connect timeout and the size cap.
    private func exchange(_ query: [UInt8]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/timestamp-query")
        request.headers.add(name: "Accept", value: "application/timestamp-reply")
        request.body = .bytes(ByteBuffer(bytes: query))
        let address = url.absoluteString
        let limit = configuration.maximumReplySize
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(configuration.requestTimeout))
            try Self.check(response, url: address, limit: limit)
            return Array(try await response.body.collect(upTo: limit).readableBytesView)
        } catch let error as TrustError {
            throw error
        } catch is NIOTooManyBytesError {
            throw TrustError(.tsaBadReply, "the TSA at \(address) sent a reply over the \(limit)-byte limit")
        } catch {
            throw Self.unreachable(error, url: address, configuration: configuration)
        }
    }

    /// Shuts the HTTP client down; a second call does nothing.
    public func shutdown() async throws {
        do {
            try await client.shutdown()
        } catch let error as HTTPClientError where error == .alreadyShutdown {
            return
        }
    }

    /// Waits for the service group to shut down, then shuts the HTTP client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    private static func check(_ response: HTTPClientResponse, url: String, limit: Int) throws(TrustError) {
        guard response.status == .ok else {
            throw TrustError(
                .tsaBadReply,
                "the TSA at \(url) answered HTTP \(response.status.code) \(response.status.reasonPhrase)"
            )
        }
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        let mediaType = contentType.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let mediaType, replyContentTypes.contains(mediaType) else {
            throw TrustError(
                .tsaBadReply,
                "the TSA at \(url) answered with Content-Type '\(contentType)', not application/timestamp-reply"
            )
        }
        if let length = response.headers.first(name: "Content-Length").flatMap({ Int($0) }), length > limit {
            throw TrustError(
                .tsaBadReply, "the TSA at \(url) announced a \(length)-byte reply, over the \(limit) limit")
        }
    }

    private static func unreachable(_ error: any Error, url: String, configuration: Configuration) -> TrustError {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded {
                return TrustError(
                    .tsaUnreachable,
                    "the TSA at \(url) did not answer within \(seconds(configuration.requestTimeout)) s"
                )
            }
            if error == .connectTimeout {
                return TrustError(
                    .tsaUnreachable,
                    "could not connect to the TSA at \(url) within \(seconds(configuration.connectTimeout)) s"
                )
            }
        }
        if ConnectionRefusal.isRefusal(error) {
            return TrustError(.tsaUnreachable, "could not reach the TSA at \(url): connection refused")
        }
        return TrustError(.tsaUnreachable, "could not reach the TSA at \(url): \(error)")
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
