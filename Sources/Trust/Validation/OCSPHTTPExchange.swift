import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One OCSP request over HTTP (RFC 6960 Appendix A.1): a POST of the DER request as `application/ocsp-request`,
/// answered by a DER response as `application/ocsp-response`.
///
/// Every failure to get a response is a ``TrustError`` naming the URL: `.ocspUnreachable` when there was no answer,
/// `.ocspBadReply` when the answer was not an OCSP response at the HTTP level. What the bytes say is the caller's.
struct OCSPHTTPExchange: Sendable {
    /// The largest response accepted: an answer about one certificate with the responder's certificate is 1 to 3 KiB.
    static let maximumResponseSize = 64 * 1024
    /// How long after the client's deadline the whole exchange is given up: long enough that on a busy machine the
    /// client's own error (a refused connection) still arrives first and is the one reported.
    static let bodyGrace: Duration = .seconds(1)

    let url: String
    let client: HTTPClient
    let timeout: Duration

    /// POSTs `request` and returns the whole response body, within `timeout` from the first connection attempt to the
    /// last byte.
    func post(_ request: [UInt8]) async throws -> [UInt8] {
        let timeout = self.timeout
        let url = self.url
        // AsyncHTTPClient's deadline ends when the response head arrives; the race holds the body to it as well, so
        // that a responder trickling its answer is cut off too. The race ends a moment after the deadline, so that
        // when nothing answered, the client's own error (the last refused connection, for a pool that retries) is the
        // one reported.
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await exchange(request) }
            group.addTask {
                try await Task.sleep(for: timeout + Self.bodyGrace)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw TrustError(
                    .ocspUnreachable,
                    "the OCSP responder at \(url) did not answer within \(Self.seconds(timeout)) s")
            }
            return bytes
        }
    }

    private func exchange(_ body: [UInt8]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/ocsp-request")
        request.headers.add(name: "Accept", value: "application/ocsp-response")
        request.body = .bytes(ByteBuffer(bytes: body))
        let limit = Self.maximumResponseSize
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
            try check(response)
            return Array(try await response.body.collect(upTo: limit).readableBytesView)
        } catch let error as TrustError {
            throw error
        } catch is NIOTooManyBytesError {
            throw TrustError(.ocspBadReply, "the OCSP responder at \(url) sent an answer over the \(limit)-byte limit")
        } catch {
            throw unreachable(error)
        }
    }

    private func check(_ response: HTTPClientResponse) throws(TrustError) {
        guard response.status == .ok else {
            throw TrustError(
                .ocspBadReply,
                "the OCSP responder at \(url) answered HTTP \(response.status.code) \(response.status.reasonPhrase)")
        }
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        let mediaType = contentType.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == "application/ocsp-response" else {
            throw TrustError(
                .ocspBadReply,
                "the OCSP responder at \(url) answered with Content-Type '\(contentType)', not application/ocsp-response"
            )
        }
        let limit = Self.maximumResponseSize
        if let length = response.headers.first(name: "Content-Length").flatMap({ Int($0) }), length > limit {
            throw TrustError(
                .ocspBadReply, "the OCSP responder at \(url) announced a \(length)-byte answer, over the \(limit) limit"
            )
        }
    }

    private func unreachable(_ error: any Error) -> TrustError {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded {
                return TrustError(
                    .ocspUnreachable, "the OCSP responder at \(url) did not answer within \(Self.seconds(timeout)) s")
            }
            if error == .connectTimeout {
                return TrustError(
                    .ocspUnreachable,
                    "could not connect to the OCSP responder at \(url) within \(Self.seconds(timeout)) s")
            }
        }
        if ConnectionRefusal.isRefusal(error) {
            return TrustError(.ocspUnreachable, "could not reach the OCSP responder at \(url): connection refused")
        }
        return TrustError(.ocspUnreachable, "could not reach the OCSP responder at \(url): \(error)")
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
