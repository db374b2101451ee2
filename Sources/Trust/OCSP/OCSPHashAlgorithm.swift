import Crypto

/// A hash algorithm a CertID may use to name the issuer (RFC 6960 §4.1.1); CertIDs with any other algorithm are
/// answered `unknown`.
public enum OCSPHashAlgorithm: Sendable, Hashable, CaseIterable {
    /// SHA-1 (1.3.14.3.2.26), what most clients still send by default.
    case sha1
    /// SHA-256 (2.16.840.1.101.3.4.2.1).
    case sha256

    /// The length of a digest.
    var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// The DER `AlgorithmIdentifier` a request built here carries: the OID with NULL parameters, as openssl sends.
    var algorithmIdentifier: [UInt8] {
        switch self {
        case .sha1: [0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00]
        case .sha256:
            [0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00]
        }
    }

    /// The algorithm with this OID content (the OBJECT IDENTIFIER's value bytes).
    init?(oidContent: ArraySlice<UInt8>) {
        if oidContent.elementsEqual([0x2B, 0x0E, 0x03, 0x02, 0x1A]) {
            self = .sha1
        } else if oidContent.elementsEqual([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]) {
            self = .sha256
        } else {
            return nil
        }
    }

    /// The digest of `bytes`.
    func digest(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        }
    }
}
