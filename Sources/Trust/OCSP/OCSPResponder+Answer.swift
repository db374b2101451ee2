#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension OCSPResponder {
    /// A response with what the HTTP layer needs around it: logging, metrics and caching headers
    /// (RFC 5019 §6.2: `Cache-Control: max-age`, `Expires` and `Last-Modified` come from these dates).
    public struct Answer: Sendable {
        /// The DER OCSPResponse to send (`application/ocsp-response`).
        public let derEncoded: [UInt8]
        /// The response status.
        public let status: OCSPResponseStatus
        /// Whether the answer came from the cache, without a lookup or a signature.
        public let isFromCache: Bool
        /// When the answer was signed; nil unless successful.
        public let producedAt: Date?
        /// The answers' nextUpdate; nil unless successful.
        public let nextUpdate: Date?
        /// Why the status is not `successful`: the decoding, lookup or signing error.
        public let failure: (any Error)?

        static func unsuccessful(_ status: OCSPResponseStatus, _ failure: any Error) -> Answer {
            Answer(
                derEncoded: OCSPResponseEncoder.unsuccessful(status),
                status: status,
                isFromCache: false,
                producedAt: nil,
                nextUpdate: nil,
                failure: failure
            )
        }
    }
}
