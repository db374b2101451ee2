import SwiftASN1

/// The object identifiers of RFC 6960 that this module writes or recognises.
enum OCSPObjectIdentifiers {
    /// id-pkix-ocsp-nonce, 1.3.6.1.5.5.7.48.1.2.
    static let nonce: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]
    /// The value bytes of id-pkix-ocsp-nonce, for comparing without decoding.
    static let nonceContent: [UInt8] = [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02]
    /// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1.
    static let basicResponse: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]
    /// id-pkix-ocsp-nocheck, 1.3.6.1.5.5.7.48.1.5.
    static let noCheck: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
}
