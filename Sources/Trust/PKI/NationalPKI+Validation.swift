extension NationalPKI {
    /// A validator that trusts this PKI's root, knows its issuing CAs and asks its records for revocation
    /// status; `revocationSources` come after the PKI's own.
    public func validator(revocationSources: [any RevocationSource] = []) async throws -> SignatureValidator {
        SignatureValidator(
            trustAnchors: [try await certificate(role: .root).certificate],
            intermediates: [
                try await certificate(role: .citizensCA).certificate,
                try await certificate(role: .organisationsCA).certificate,
            ],
            revocationSources: [NationalPKIRevocationSource(pki: self)] + revocationSources, clock: clock)
    }
}
