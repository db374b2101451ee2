import Crypto
import Foundation
public import SwiftASN1

/// A SHA-2 digest algorithm, as CMS digestAlgorithm, ESS certHash and RFC 3161 messageImprint use it.
///
/// ```asn1
/// id-sha256 OBJECT IDENTIFIER ::= { joint-iso-itu-t(2) country(16) us(840) organization(1) gov(101)
///     csor(3) nistalgorithm(4) hashalgs(2) 1 }   -- 2: id-sha384, 3: id-sha512 (RFC 5754 2)
/// ```
public enum CMSDigestAlgorithm: Sendable, Hashable, CaseIterable {
    /// SHA-256 (32 bytes).
    case sha256
    /// SHA-384 (48 bytes).
    case sha384
    /// SHA-512 (64 bytes).
    case sha512

    /// The algorithm's object identifier.
    public var objectIdentifier: ASN1ObjectIdentifier {
        switch self {
        case .sha256: [2, 16, 840, 1, 101, 3, 4, 2, 1]
        case .sha384: [2, 16, 840, 1, 101, 3, 4, 2, 2]
        case .sha512: [2, 16, 840, 1, 101, 3, 4, 2, 3]
        }
    }

    /// The digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The algorithm named by `identifier` (parameters absent or NULL), or `nil`.
    public init?(_ identifier: CMSAlgorithmIdentifier) {
        guard identifier.hasAbsentOrNullParameters,
            let algorithm = Self.allCases.first(where: { $0.objectIdentifier == identifier.algorithm })
        else { return nil }
        self = algorithm
    }

    /// The identifier with absent parameters, as RFC 5754 says to generate.
    public var algorithmIdentifier: CMSAlgorithmIdentifier {
        CMSAlgorithmIdentifier(algorithm: objectIdentifier)
    }

    /// The digest of `bytes`.
    public func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }
}
