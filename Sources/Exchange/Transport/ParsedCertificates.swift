import SwiftASN1
import Synchronization
import X509

/// Certificates parsed once per distinct DER: the same few node and seal certificates arrive with every message
/// (in the TLS handshake, inside each seal, base64 in the global configuration), and parsing one costs more than
/// checking the signature it carries.
///
/// Parsing is a pure function of the bytes, so a cached answer is the answer; the cache forgets everything when it
/// holds ``capacity`` certificates, which bounds its memory whatever a peer sends.
enum ParsedCertificates {
    /// The most certificates kept.
    static let capacity = 512
    private static let cache = Mutex<[[UInt8]: Certificate]>([:])

    /// The certificate `der` encodes.
    static func certificate(_ der: [UInt8]) throws -> Certificate {
        if let known = cache.withLock({ $0[der] }) { return known }
        let certificate = try Certificate(derEncoded: der)
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[der] = certificate
        }
        return certificate
    }
}
