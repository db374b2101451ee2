public import X509

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// An OCSP responder (RFC 6960, with the RFC 5019 profile's pre-produced answers) for one or more CAs.
///
/// ``respond(to:at:)`` always returns a DER OCSPResponse, whatever bytes arrive:
/// - `successful`: a BasicOCSPResponse signed by the delegated responder of the first CA the request names, with
///   one SingleResponse per CertID (thisUpdate = now, nextUpdate = now + ``validity``), the nonce echoed when sent,
///   and the responder certificate in `certs`. CertIDs that name another CA, or use a hash algorithm other than
///   SHA-1 and SHA-256, are answered `unknown`.
/// - `malformedRequest`: the request is not DER, is too large, has too many CertIDs, or a critical extension this
///   responder does not know.
/// - `unauthorized`: no CertID names a CA this responder serves.
/// - `internalError`: the status lookup or the signing key threw.
///
/// A nonce-less request for one certificate is answered from the ``cache`` when it holds a fresh answer; requests
/// with a nonce are always signed anew.
public struct OCSPResponder: Sendable {
    /// Finds a certificate's status in the database: nil or `.unknown` for a serial the CA never issued.
    public typealias StatusLookup = @Sendable (CertificateIdentity) async throws -> CertificateStatus?

    /// The CAs answered for, each with its signer.
    public let authorities: [Authority]
    /// Seconds from thisUpdate to nextUpdate.
    public let validity: TimeInterval
    /// The pre-produced answers, or nil to sign every answer.
    public let cache: OCSPResponseCache?
    /// The largest request accepted, in bytes.
    public let maximumRequestSize: Int
    /// The most CertIDs accepted in one request.
    public let maximumCertIDs: Int
    private let lookup: StatusLookup

    /// Creates a responder.
    ///
    /// - Parameters:
    ///   - authorities: The CAs to answer for; at least one, each CA once.
    ///   - validity: Seconds from thisUpdate to nextUpdate; longer than the cache's refresh margin.
    ///   - cache: Where pre-produced answers are kept; nil signs every answer.
    ///   - maximumRequestSize: Longer requests are `malformedRequest`.
    ///   - maximumCertIDs: Requests with more CertIDs are `malformedRequest`.
    ///   - lookup: The status of one certificate.
    public init(
        authorities: [Authority],
        validity: TimeInterval = 3600,
        cache: OCSPResponseCache? = OCSPResponseCache(),
        maximumRequestSize: Int = 16_384,
        maximumCertIDs: Int = OCSPRequest.defaultMaximumCertIDs,
        lookup: @escaping StatusLookup
    ) throws {
        guard !authorities.isEmpty else { throw OCSPError(.invalidConfiguration, "no CA to answer for") }
        guard Set(authorities.map(\.issuer)).count == authorities.count else {
            throw OCSPError(.invalidConfiguration, "a CA is configured twice")
        }
        guard validity > 0, validity > cache?.refreshMargin ?? 0 else {
            throw OCSPError(.invalidConfiguration, "validity must be positive and longer than the refresh margin")
        }
        guard maximumRequestSize > 0, maximumCertIDs > 0 else {
            throw OCSPError(.invalidConfiguration, "request limits must be positive")
        }
        self.authorities = authorities
        self.validity = validity
        self.cache = cache
        self.maximumRequestSize = maximumRequestSize
        self.maximumCertIDs = maximumCertIDs
        self.lookup = lookup
    }

    /// The DER OCSPResponse answering `requestDER` at `time`.
    public func respond(to requestDER: [UInt8], at time: Date) async -> [UInt8] {
        await answer(to: requestDER, at: time).derEncoded
    }

    /// Forgets the cached answer about one certificate: call it after every committed status change.
    public func invalidate(issuer: OCSPIssuer, serialNumber: Certificate.SerialNumber) {
        cache?.invalidate(issuer: issuer, serialNumber: serialNumber)
    }

    /// Forgets every cached answer.
    public func invalidateAll() {
        cache?.invalidateAll()
    }

    /// The response to `requestDER` at `time`, with its status and dates.
    public func answer(to requestDER: [UInt8], at time: Date) async -> Answer {
        guard requestDER.count <= maximumRequestSize else {
            let error = OCSPError(.requestTooLarge, "\(requestDER.count) bytes, at most \(maximumRequestSize)")
            return .unsuccessful(.malformedRequest, error)
        }
        let request: OCSPRequest
        do {
            request = try OCSPRequest(derEncoded: requestDER, maximumCertIDs: maximumCertIDs)
        } catch {
            return .unsuccessful(.malformedRequest, error)
        }
        let matches = request.certIDs.map { certID in authorities.firstIndex { $0.issuer.isNamed(by: certID) } }
        let signerIndex: Int
        if let matched = matches.first(where: { $0 != nil }), let matched {
            signerIndex = matched
        } else if request.certIDs.contains(where: { $0.hashAlgorithm == nil }) {
            // The CA cannot be told; any signer may say `unknown`.
            signerIndex = 0
        } else {
            return .unsuccessful(.unauthorized, OCSPError(.unknownIssuer, "no CertID names a CA served here"))
        }
        let authority = authorities[signerIndex].storage
        let cacheable =
            request.nonce == nil && request.certIDs.count == 1 && matches[0] == signerIndex
            && !request.certIDs[0].hasNegativeSerial
        if cacheable, let cache {
            let certID = request.certIDs[0]
            if let entry = cache.entry(
                issuer: authority.issuer,
                serialNumber: certID.serialMagnitude,
                certID: certID.derEncoded,
                at: time
            ) {
                return Answer(
                    derEncoded: entry.response,
                    status: .successful,
                    isFromCache: true,
                    producedAt: entry.producedAt,
                    nextUpdate: entry.nextUpdate,
                    failure: nil
                )
            }
        }
        let generation = cache?.generation ?? 0
        var singles: [OCSPResponseEncoder.Single] = []
        singles.reserveCapacity(request.certIDs.count)
        for (certID, match) in zip(request.certIDs, matches) {
            var status = CertificateStatus.unknown
            // A negative serial cannot belong to a certificate this CA issued (RFC 5280 §4.1.2.2).
            if match == signerIndex, !certID.hasNegativeSerial {
                let identity = CertificateIdentity(issuer: authority.issuer, serialNumber: certID.serialNumber)
                do {
                    status = try await lookup(identity) ?? .unknown
                } catch {
                    return .unsuccessful(.internalError, error)
                }
            }
            singles.append(OCSPResponseEncoder.Single(certID: certID.derEncoded, status: status))
        }
        let nextUpdate = time.addingTimeInterval(validity)
        let response: [UInt8]
        do {
            response = try await sign(singles, nonce: request.nonce, by: authority, at: time, nextUpdate: nextUpdate)
        } catch {
            return .unsuccessful(.internalError, error)
        }
        if cacheable, let cache, singles[0].status != .unknown {
            let certID = request.certIDs[0]
            let entry = OCSPResponseCache.Entry(
                certID: Array(certID.derEncoded),
                response: response,
                producedAt: time,
                nextUpdate: nextUpdate,
                freshUntil: nextUpdate.addingTimeInterval(-cache.refreshMargin)
            )
            cache.store(entry, issuer: authority.issuer, serialNumber: certID.serialMagnitude, generation: generation)
        }
        return Answer(
            derEncoded: response,
            status: .successful,
            isFromCache: false,
            producedAt: time,
            nextUpdate: nextUpdate,
            failure: nil
        )
    }

    private func sign(
        _ singles: [OCSPResponseEncoder.Single],
        nonce: ArraySlice<UInt8>?,
        by authority: Authority.Storage,
        at time: Date,
        nextUpdate: Date
    ) async throws -> [UInt8] {
        let responseData = try OCSPResponseEncoder.responseData(
            responderKeyHash: authority.responderKeyHash,
            producedAt: time,
            thisUpdate: time,
            nextUpdate: nextUpdate,
            singles: singles,
            nonce: nonce
        )
        let signature = try await authority.responderKey.signAsynchronously(
            bytes: responseData,
            signatureAlgorithm: authority.signatureAlgorithm
        )
        return OCSPResponseEncoder.successful(
            responseData: responseData,
            signatureAlgorithm: authority.signatureAlgorithmDER,
            signature: signature.rawRepresentation,
            certificates: authority.certificatesField
        )
    }
}
