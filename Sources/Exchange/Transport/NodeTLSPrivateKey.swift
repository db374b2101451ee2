import Crypto
import NIOCore
import NIOSSL
import X509

/// A `Certificate.PrivateKey` as NIOSSL's custom private key, so that BoringSSL asks it for the handshake's one
/// signature instead of needing the key's bytes.
///
/// TLS wants an ECDSA signature as the DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 8446 §4.2.3,
/// RFC 4492 §5.4), which is what `Certificate.Signature.rawRepresentation` is for an ECDSA signature (RFC 5480), and
/// over the unhashed handshake data, which `sign(bytes:signatureAlgorithm:)` hashes as X.509 does.
///
/// One algorithm is advertised per curve, the one whose hash matches it (`ecdsa_secp256r1_sha256` for P-256,
/// `ecdsa_secp384r1_sha384` for P-384): TLS 1.3 ties the curve to the hash, and Trust's PKCS #11 keys sign with
/// the curve's own hash only.
struct NodeTLSPrivateKey: NIOSSLCustomPrivateKey, Hashable {
    let key: Certificate.PrivateKey
    private let tlsAlgorithm: SignatureAlgorithm
    private let certificateAlgorithm: Certificate.SignatureAlgorithm

    /// - Throws: ``ExchangeError`` `.invalidRecord` for a key that is not ECDSA on P-256 or P-384.
    init(_ key: Certificate.PrivateKey) throws(ExchangeError) {
        self.key = key
        if P256.Signing.PublicKey(key.publicKey) != nil {
            tlsAlgorithm = .ecdsaSecp256R1Sha256
            certificateAlgorithm = .ecdsaWithSHA256
        } else if P384.Signing.PublicKey(key.publicKey) != nil {
            tlsAlgorithm = .ecdsaSecp384R1Sha384
            certificateAlgorithm = .ecdsaWithSHA384
        } else {
            throw ExchangeError(
                .invalidRecord, "an exchange node's TLS key is ECDSA on P-256 or P-384, not \(key.publicKey)")
        }
    }

    var signatureAlgorithms: [SignatureAlgorithm] { [tlsAlgorithm] }

    func sign(channel: any Channel, algorithm: SignatureAlgorithm, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        guard algorithm == tlsAlgorithm else {
            return channel.eventLoop.makeFailedFuture(
                ExchangeError(.handshakeFailed, "the TLS key cannot sign with algorithm \(algorithm.rawValue)"))
        }
        let bytes = Array(data.readableBytesView)
        let key = self.key
        let certificateAlgorithm = self.certificateAlgorithm
        // Off the event loop: an HSM's signature is a blocking round trip to the token.
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        promise.completeWithTask {
            let signature = try await key.signAsynchronously(bytes: bytes, signatureAlgorithm: certificateAlgorithm)
            return ByteBuffer(bytes: signature.rawRepresentation)
        }
        return promise.futureResult
    }

    /// Never called: ECDSA keys have no decryption, and no cipher suite we allow uses RSA key exchange.
    func decrypt(channel: any Channel, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(ExchangeError(.handshakeFailed, "an ECDSA key does not decrypt"))
    }
}
