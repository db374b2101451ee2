public import AsyncHTTPClient
import Foundation
import SwiftASN1
public import Trust
public import X509

/// What a node trusts under one global configuration: the CAs it lists and their OCSP responder.
///
/// Each OCSP request carries a nonce, so the responder signs a fresh answer: a pre-produced one could be older than
/// a short freshness limit. The validator is made once per configuration version; the OCSP source (and so its cache of answers) is kept for
/// as long as the responder's URL and the freshness limit stay the same, so a new configuration version does not
/// send every certificate back to the responder.
public actor ExchangeTrust {
    private let httpClient: HTTPClient
    private var validators: (version: Int64, validator: SignatureValidator)?
    private var ocsp: (url: String, freshness: Int, source: OCSPRevocationSource)?
    /// Signer certificates whose chain the full validator accepted, by their DER: the chain of a certificate does
    /// not change, so until `recheckAt` only its revocation status (from the same OCSP source and cache), its
    /// validity dates and the signature value are checked again.
    private var known: [[UInt8]: KnownChain] = [:]

    struct KnownChain {
        let issuer: Certificate
        let notAfter: Date
        let recheckAt: Date
        let version: Int64
    }

    /// How long a validated chain is trusted without running the full validator again.
    static let chainRecheck: TimeInterval = 300
    /// The most signer certificates kept.
    static let maximumKnown = 10_000

    /// Creates the trust state; `httpClient` carries the OCSP requests.
    public init(httpClient: HTTPClient = .shared) {
        self.httpClient = httpClient
    }

    /// The validator for seals under `configuration`: its CAs as anchors (the self-signed ones) and intermediates
    /// (the others), revocation by its OCSP responder with its freshness limit.
    public func validator(for configuration: GlobalConfiguration) throws(ExchangeError) -> SignatureValidator {
        if let validators, validators.version == configuration.version { return validators.validator }
        let authorities = try Self.certificates(configuration.trustedCAs, what: "a trusted CA")
        let roots = authorities.filter { $0.subject == $0.issuer }
        let freshness = configuration.policies.ocspFreshnessSeconds
        let source: OCSPRevocationSource
        if let ocsp, ocsp.url == configuration.ocspURL, ocsp.freshness == freshness {
            source = ocsp.source
        } else {
            guard freshness > 0, URL(string: configuration.ocspURL)?.scheme?.hasPrefix("http") == true else {
                throw ExchangeError(
                    .globalConfigurationRefused,
                    "the global configuration names no usable OCSP responder (\(configuration.ocspURL), "
                        + "freshness \(freshness) s)")
            }
            source = OCSPRevocationSource(
                responderURL: configuration.ocspURL, freshness: .seconds(freshness), httpClient: httpClient,
                timeout: .seconds(10), useNonce: true)
            ocsp = (configuration.ocspURL, freshness, source)
        }
        let validator = SignatureValidator(
            trustAnchors: roots, intermediates: authorities.filter { $0.subject != $0.issuer },
            revocationSources: [source])
        validators = (configuration.version, validator)
        return validator
    }

    /// The issuer of `signer` when its chain was validated under `configuration` recently enough and the
    /// certificates are within their validity; `nil` when the full validator must run.
    func knownIssuer(of signer: Certificate, der: [UInt8], configuration: GlobalConfiguration) -> Certificate? {
        let now = Date()
        guard let entry = known[der] else { return nil }
        guard entry.version == configuration.version, now < entry.recheckAt, now < entry.notAfter,
            now >= signer.notValidBefore
        else {
            known[der] = nil
            return nil
        }
        return entry.issuer
    }

    /// Notes that the full validator accepted `signer` under `configuration`.
    func remember(_ signer: Certificate, der: [UInt8], configuration: GlobalConfiguration) {
        guard let authorities = try? Self.certificates(configuration.trustedCAs, what: "a trusted CA"),
            let issuer = authorities.first(where: { $0.subject == signer.issuer })
        else { return }
        if known.count >= Self.maximumKnown { known.removeAll() }
        known[der] = KnownChain(
            issuer: issuer, notAfter: min(signer.notValidAfter, issuer.notValidAfter),
            recheckAt: Date().addingTimeInterval(Self.chainRecheck), version: configuration.version)
    }

    /// The revocation status of `certificate`, from the configuration's OCSP source and its cache.
    func status(of certificate: Certificate, issuer: Certificate) async throws -> RevocationStatus {
        guard let source = ocsp?.source else {
            throw ExchangeError(.globalConfigurationUnavailable, "no OCSP responder is configured yet")
        }
        return try await source.status(of: certificate, issuer: issuer)
    }

    /// Decodes base64 DER certificates from the configuration.
    public static func certificates(_ encoded: [String], what: String) throws(ExchangeError) -> [Certificate] {
        var certificates: [Certificate] = []
        for text in encoded {
            guard let der = Data(base64Encoded: text), let certificate = try? ParsedCertificates.certificate(Array(der))
            else {
                throw ExchangeError(
                    .globalConfigurationRefused, "\(what) in the global configuration is not a certificate")
            }
            certificates.append(certificate)
        }
        return certificates
    }
}
