public import SwiftASN1

extension NationalPKI {
    /// The policy under which the time-stamping unit issues tokens: our arc, `.100`.
    public static let timeStampPolicy = try! ASN1ObjectIdentifier(elements: policyArc + [100])

    /// The RFC 3161 authority of this PKI: the TSA key from the key store, the TSA certificate, the
    /// organisations CA as its chain, and serial numbers from `trust_counters` (`tsa`).
    public func timeStampAuthority(serials: SerialAllocator) async throws -> TimeStampAuthority {
        let unit = try await certificate(role: .timeStamping).certificate
        let issuer = try await certificate(role: .organisationsCA).certificate
        let key = try await keyStore.key(named: Self.keyName(.timeStamping))
        return try TimeStampAuthority(
            key: key, certificate: unit, chain: [issuer], policy: Self.timeStampPolicy,
            accuracy: TimeStampAccuracy(seconds: 1), serialNumbers: { try await serials.allocateBytes() })
    }
}

extension NationalPKI {
    /// This PKI's own time-stamping unit as a ``TimeStampSource``, loaded on first use, numbering its tokens from
    /// the shared `tsa` counter.
    public func localTimeStampSource() -> any TimeStampSource {
        TimeStampingService(pki: self, serials: SerialAllocator(database: database, name: "tsa"), clock: clock)
    }
}
