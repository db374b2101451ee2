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
    let url: String
    let client: HTTPClient
    let timeout: Duration

    /// POSTs `request` and returns the whole response body, within `timeout` from the first connection attempt to the
    /// last byte.
    func post(_ request: [UInt8]) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        // Until the response head, AsyncHTTPClient's own deadline bounds the call, so its error is the one reported:
        // for a pool that retries refused connections, the last refusal.
        let response = try await head(request)
        // Its deadline ends with the head; the body is held to the same one, so that a responder trickling its
        // answer is cut off too.
        let timeout = self.timeout
        let url = self.url
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await body(of: response) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
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

    private func head(_ body: [UInt8]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/ocsp-request")
        request.headers.add(name: "Accept", value: "application/ocsp-response")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
            try check(response)
            return response
        } catch let error as TrustError {
            throw error
        } catch {
            throw unreachable(error)
        }
    }

    private func body(of response: HTTPClientResponse) async throws -> [UInt8] {
        let limit = Self.maximumResponseSize
        do {
            return Array(try await response.body.collect(upTo: limit).readableBytesView)
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
