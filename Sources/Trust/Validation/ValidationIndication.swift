/// The main status of a validation (ETSI EN 319 102-1 §5.1.3, table 4).
public enum ValidationIndication: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every check passed.
    case totalPassed = "TOTAL-PASSED"
    /// A check failed for good: the signature is not valid, whatever further evidence may come.
    case totalFailed = "TOTAL-FAILED"
    /// The checks could not conclude either way (missing revocation data, no proof of existence, no chain
    /// to a trusted root, …).
    case indeterminate = "INDETERMINATE"
}

/// Why a validation did not pass (ETSI EN 319 102-1 §5.1.3, table 5), spelled as the standard spells it.
public enum ValidationSubIndication: String, Sendable, Hashable, Codable, CaseIterable {
    /// The signature is not in a format the validator understands, or its structure is broken.
    case formatFailure = "FORMAT_FAILURE"
    /// The hash of the signed data does not match the message digest in the signature.
    case hashFailure = "HASH_FAILURE"
    /// The signature value does not verify with the signer's public key.
    case sigCryptoFailure = "SIG_CRYPTO_FAILURE"
    /// The signing certificate was revoked, and the signature is proven to exist only after that.
    case revoked = "REVOKED"
    /// The signature is proven to exist before the signing certificate's validity began.
    case notYetValid = "NOT_YET_VALID"
    /// The signing certificate's key usage does not allow signatures, or a chain constraint failed.
    case chainConstraintsFailure = "CHAIN_CONSTRAINTS_FAILURE"
    /// An algorithm or key size is below what the validation accepts.
    case cryptoConstraintsFailure = "CRYPTO_CONSTRAINTS_FAILURE"
    /// The signing certificate could not be identified among the certificates available.
    case noSigningCertificateFound = "NO_SIGNING_CERTIFICATE_FOUND"
    /// No chain from the signing certificate to a trusted root could be built.
    case noCertificateChainFound = "NO_CERTIFICATE_CHAIN_FOUND"
    /// The signing certificate is revoked, and nothing proves the signature existed before that.
    case revokedNoPOE = "REVOKED_NO_POE"
    /// A CA certificate in the chain is revoked, and nothing proves the signature existed before that.
    case revokedCANoPOE = "REVOKED_CA_NO_POE"
    /// A certificate of the chain is outside its validity at the validation time, nothing proves the signature
    /// existed while it was valid, and its revocation status is not known.
    case outOfBoundsNoPOE = "OUT_OF_BOUNDS_NO_POE"
    /// As ``outOfBoundsNoPOE``, but the certificate is known not to be revoked.
    case outOfBoundsNotRevoked = "OUT_OF_BOUNDS_NOT_REVOKED"
    /// The revocation status is not available yet (or the certificate is on hold): validate again later.
    case tryLater = "TRY_LATER"
    /// The signed data is not available: a detached signature was given without its document.
    case signedDataNotFound = "SIGNED_DATA_NOT_FOUND"

    /// The main indication that goes with this sub-indication.
    public var indication: ValidationIndication {
        switch self {
        case .formatFailure, .hashFailure, .sigCryptoFailure, .revoked, .notYetValid: .totalFailed
        default: .indeterminate
        }
    }
}
