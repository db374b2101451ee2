public import AsyncHTTPClient
public import CivitasCore
import Foundation
public import X509

/// Revocation data from an OCSP responder over HTTP (RFC 6960), for a process that does not have the PKI's
/// database: an exchange node of another agency checking certificates against the national OCSP responder.
///
/// Each question is one nonce-less (unless `useNonce`) single-certificate request POSTed as
/// `application/ocsp-request`. The answer is trusted only if (RFC 6960 §3.2 and §4.2.2.2) the response status is
/// successful; its signature verifies with the key of the issuing CA itself, or of a responder certificate sent
/// with the answer, issued and signed by that CA, carrying id-kp-OCSPSigning and valid now; it answers about the
/// CertID asked; its thisUpdate is not in the future (``maximumClockSkew`` allowed) and now is before its
/// nextUpdate; its thisUpdate was no older than `freshness` when the request was sent (a slow responder or network
/// does not make a fresh answer stale); and, with a nonce, it echoes the nonce.
///
/// An answer that is not fresh enough throws ``TrustError`` `.ocspStale` rather than saying `.unknown`: the caller
/// asked for an answer at most `freshness` old, and a stale one must make validation fail, not pass on to whatever
/// another source says.
///
/// Accepted answers are kept per certificate (issuer key, serial number) and served while they are younger than
/// `freshness`, measured from their thisUpdate, and before their nextUpdate; a `revoked` answer, which cannot change
/// back, until its nextUpdate. So a certificate costs at most one round trip per freshness period, and concurrent
/// askers about one certificate share one request. This is the defined behaviour: a certificate revoked a moment
/// after its `good` answer was accepted is still reported `good` until that answer is `freshness` old; choose the
/// freshness limit as the longest such window the relying party accepts. `unknown` answers and failures are never
/// kept. Copies of a source share its cache.
///
/// The delegated responder certificate's own revocation status is not checked (RFC 6960 §4.2.2.2.1: the national
/// PKI's responder certificates carry id-pkix-ocsp-nocheck and are short-lived).
public struct OCSPRevocationSource: RevocationSource {
    /// How far an answer's thisUpdate may lie ahead of this clock (the responder's clock may be a little ahead).
    public static let maximumClockSkew: Duration = .seconds(60)

    /// Where requests go, e.g. `https://trust.example.gov/ocsp`.
    public let responderURL: String
    /// How old (from thisUpdate) an answer may be when accepted, and how long an accepted answer is served.
    public let freshness: Duration
    /// How long one exchange may take, from the first connection attempt to the last byte of the answer.
    public let timeout: Duration
    /// Whether each request carries a fresh RFC 8954 nonce that the answer must echo (responders then sign every
    /// answer anew; without it they may serve pre-produced answers, RFC 5019).
    public let useNonce: Bool
    /// How CertIDs name the issuer.
    public let hashAlgorithm: OCSPHashAlgorithm

    private let httpClient: HTTPClient
    private let clock: any WallClock
    private let cache: OCSPClientCache

    /// Creates a source.
    ///
    /// - Parameters:
    ///   - responderURL: The responder's http(s) URL.
    ///   - freshness: The oldest answer (by thisUpdate) accepted, and how long an accepted answer is reused; positive.
    ///     thisUpdate has whole seconds, so an answer may look up to a second older than it is.
    ///   - httpClient: The client that sends the requests; owned by the caller. With the shared client, whose pool
    ///     retries refused connections, an unreachable responder fails when `timeout` has passed.
    ///   - clock: The clock answers are judged by.
    ///   - timeout: The limit on one exchange.
    ///   - useNonce: Whether to send a nonce and require it echoed.
    ///   - hashAlgorithm: The CertID hash: SHA-256 by default; SHA-1 for responders that know no other.
    public init(
        responderURL: String, freshness: Duration, httpClient: HTTPClient = .shared,
        clock: any WallClock = SystemClock(),
        timeout: Duration = .seconds(10), useNonce: Bool = false, hashAlgorithm: OCSPHashAlgorithm = .sha256
    ) {
        precondition(freshness > .zero, "an OCSP freshness limit must be positive")
        precondition(timeout > .zero, "an OCSP timeout must be positive")
        self.responderURL = responderURL
        self.freshness = freshness
        self.timeout = timeout
        self.useNonce = useNonce
        self.hashAlgorithm = hashAlgorithm
        self.httpClient = httpClient
        self.clock = clock
        self.cache = OCSPClientCache(freshness: Self.interval(freshness), clock: clock)
    }

    /// `OCSP <responderURL>`.
    public var name: String { "OCSP \(responderURL)" }

    /// How many requests this source (and its copies) started, answered or not.
    public var requestsSent: Int { cache.requestsSent }

    /// The status of `certificate` as the responder answered, from the kept answer while it is fresh.
    ///
    /// - Throws: ``TrustError``: `.ocspUnreachable` (no answer), `.ocspBadReply` (an HTTP error, not an OCSP
    ///   response, a refusal such as `unauthorized`, or an answer about another certificate), `.ocspUntrusted` (a bad
    ///   signature, a signer the CA did not authorise, a nonce not echoed), `.ocspStale` (outside its time window),
    ///   `.invalidRequest` (an issuer certificate a CertID cannot be made from).
    public func status(of certificate: Certificate, issuer: Certificate) async throws -> RevocationStatus {
        let certID: OCSPCertID
        do {
            certID = try OCSPCertID(hashAlgorithm: hashAlgorithm, certificate: certificate, issuer: issuer)
        } catch {
            throw TrustError(.invalidRequest, "cannot name \(certificate.subject) in an OCSP request: \(error)")
        }
        // One hash algorithm per source, so the CertID's key hash names the issuer's key.
        let key = OCSPClientCache.Key(
            issuerKeyHash: Array(certID.issuerKeyHash), serialNumber: Array(certID.serialMagnitude))
        let source = self
        switch cache.lookup(key, fetch: { try await source.fetch(certID: certID, issuer: issuer) }) {
        case .answer(let answer):
            return answer.status
        case .pending(let task):
            return try await task.value.status
        }
    }

    /// One round trip, and the checks on its answer.
    private func fetch(certID: OCSPCertID, issuer: Certificate) async throws -> OCSPAnswerCheck.Answer {
        let request: OCSPRequest
        do {
            request = try OCSPRequest(certIDs: [certID], nonce: useNonce ? OCSPRequest.randomNonce() : nil)
        } catch {
            throw TrustError(.invalidRequest, "cannot build the OCSP request: \(error)")
        }
        let exchange = OCSPHTTPExchange(url: responderURL, client: httpClient, timeout: timeout)
        let asked = clock.now()
        let der = try await exchange.post(request.derEncoded)
        let check = OCSPAnswerCheck(
            url: responderURL, freshness: Self.interval(freshness), clockSkew: Self.interval(Self.maximumClockSkew))
        return try check.check(
            der, request: request, certID: certID, issuer: issuer, now: clock.now(), askedAt: asked)
    }

    static func interval(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
