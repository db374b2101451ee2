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

    /// Decodes base64 DER certificates from the configuration.
    public static func certificates(_ encoded: [String], what: String) throws(ExchangeError) -> [Certificate] {
        var certificates: [Certificate] = []
        for text in encoded {
            guard let der = Data(base64Encoded: text), let certificate = try? Certificate(derEncoded: Array(der)) else {
                throw ExchangeError(
                    .globalConfigurationRefused, "\(what) in the global configuration is not a certificate")
            }
            certificates.append(certificate)
        }
        return certificates
    }
}
