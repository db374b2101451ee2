public import HummingbirdTLS
public import Logging
public import NIOCore
import NIOSSL
import SwiftASN1
public import X509

/// Mutual TLS between exchange nodes: each side presents its authentication certificate (Trust profile `tls-node`)
/// and accepts the other's only if it chains to the national root and is the certificate registered for that node.
///
/// TLS 1.2 at least, 1.3 preferred; in TLS 1.2 only ECDHE-ECDSA suites with AEAD ciphers. Chains are verified by
/// swift-certificates' `Verifier` in a custom verification callback (see `docs/decisions/0023-exchange-node-tls.md`).
public enum NodeTLS {
    /// The TLS configuration of a node's listener for other nodes (use with Hummingbird's `.tls(.http1(), ...)`).
    ///
    /// A client certificate is required. Its chain must verify to `trustRoots` (RFC 5280, valid now, extended key
    /// usage clientAuth; no host name is checked) and then `acceptsPeer` must take its leaf (the node passes "is this
    /// certificate registered in the global configuration"); otherwise the handshake fails and no request is read.
    /// Refusals are logged to `logger` with the reason.
    ///
    /// A TLS session the server resumes (a session ticket) is not verified again: a handler should still map the
    /// caller's certificate (``peerCertificate(of:)``) to a registered member on every request.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` if the key is not ECDSA P-256 or P-384 or does not match the
    ///   certificate, or a certificate does not encode.
    public static func serverConfiguration(
        credentials: NodeCredentials, trustRoots: [Certificate],
        acceptsPeer: @escaping @Sendable (Certificate) -> Bool,
        logger: Logger = Logger(label: "civitas.exchange.node-tls")
    ) throws -> TLSChannelConfiguration {
        let tls = try configuration(forServer: true, credentials: credentials, trustRoots: trustRoots)
        let verifier = NodePeerVerifier(trustRoots: trustRoots, usage: .clientAuth)
        return TLSChannelConfiguration(
            tlsConfiguration: tls,
            customAsyncVerificationCallback: { presented in
                switch await verifier.verify(presented) {
                case .success(let leaf):
                    guard acceptsPeer(leaf) else {
                        logger.warning(
                            "refused a node's TLS connection: its certificate is not registered",
                            metadata: ["peer": "\(leaf.subject)", "serial": "\(leaf.serialNumber)"])
                        return .failed
                    }
                    return .certificateVerified
                case .failure(let refusal):
                    logger.warning(
                        "refused a node's TLS connection", metadata: ["reason": "\(refusal.reason)"])
                    return .failed
                }
            })
    }

    /// The verified certificate of the node at the other end of a server-side connection, or `nil` if `channel`
    /// has no TLS or the handshake has not completed.
    ///
    /// In a Hummingbird handler, pass the channel the request context kept from `ApplicationRequestContextSource`.
    public static func peerCertificate(of channel: any Channel) async -> Certificate? {
        let peer = try? await channel.eventLoop.submit { () throws -> Certificate? in
            guard let certificate = try channel.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
            return try ParsedCertificates.certificate(certificate.toDERBytes())
        }.get()
        return peer
    }

    /// A TLS configuration for one side of node-to-node TLS: the node's certificate, chain and key, the protocol
    /// versions and cipher suites, and `trustRoots` (so BoringSSL never loads the system's CA bundle).
    ///
    /// `.noHostnameVerification` makes a server ask for a client certificate and fail the handshake without one
    /// (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT); a custom verification callback then replaces
    /// BoringSSL's chain check on both sides.
    static func configuration(
        forServer: Bool, credentials: NodeCredentials, trustRoots: [Certificate]
    ) throws(ExchangeError) -> TLSConfiguration {
        guard credentials.key.publicKey == credentials.certificate.publicKey else {
            throw ExchangeError(
                .invalidRecord, "the node's TLS key does not match its certificate \(credentials.certificate.subject)")
        }
        let key = NIOSSLPrivateKeySource.privateKey(
            NIOSSLPrivateKey(customPrivateKey: try NodeTLSPrivateKey(credentials.key)))
        var chain: [NIOSSLCertificateSource] = []
        for certificate in [credentials.certificate] + credentials.chain {
            chain.append(.certificate(try nioCertificate(certificate)))
        }
        var roots: [NIOSSLCertificate] = []
        for root in trustRoots { roots.append(try nioCertificate(root)) }

        var configuration: TLSConfiguration
        if forServer {
            configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        } else {
            configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateChain = chain
            configuration.privateKey = key
        }
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates(roots)
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        // For TLS 1.2 only: forward-secret ECDHE with an ECDSA certificate and an AEAD cipher. TLS 1.3's suites
        // are all of that kind and are not configurable.
        configuration.cipherSuiteValues = [
            .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ]
        configuration.renegotiationSupport = .none
        return configuration
    }

    /// `certificate` as BoringSSL holds it.
    static func nioCertificate(_ certificate: Certificate) throws(ExchangeError) -> NIOSSLCertificate {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
        } catch {
            throw ExchangeError(.invalidRecord, "the certificate \(certificate.subject) does not encode: \(error)")
        }
    }

    /// The DER encoding of `certificate`, by which pinned certificates are compared.
    static func der(_ certificate: Certificate) throws(ExchangeError) -> [UInt8] {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        } catch {
            throw ExchangeError(.invalidRecord, "the certificate \(certificate.subject) does not encode: \(error)")
        }
    }
}
