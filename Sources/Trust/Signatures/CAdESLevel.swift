/// The CAdES baseline levels Civitas produces (ETSI EN 319 122-1).
public enum CAdESLevel: String, Sendable, CaseIterable {
    /// B-B: signing-certificate-v2, signing-time, message digest and content type, signed.
    case basic = "B-B"
    /// B-T: B-B plus a signature time-stamp (id-aa-signatureTimeStampToken) over the signature value.
    case timestamped = "B-T"
}
