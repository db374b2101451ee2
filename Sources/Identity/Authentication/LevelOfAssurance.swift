/// How sure the state is that the person logging in is who they claim to be (eIDAS levels of assurance,
/// Commission Implementing Regulation (EU) 2015/1502), sent to relying parties as the `acr` claim.
public enum LevelOfAssurance: Int, Sendable, Hashable, Comparable, CaseIterable, Codable {
    /// A password alone.
    case low = 1
    /// A password and a second factor (TOTP).
    case substantial = 2
    /// A key on a certified device: the eID card, or a registered mobile ID device.
    case high = 3

    /// The `acr` value (the eIDAS URIs, which relying parties in Europe already know).
    public var acr: String {
        switch self {
        case .low: "http://eidas.europa.eu/LoA/low"
        case .substantial: "http://eidas.europa.eu/LoA/substantial"
        case .high: "http://eidas.europa.eu/LoA/high"
        }
    }

    /// The level an `acr` value names, if it names one.
    public init?(acr: String) {
        guard let level = Self.allCases.first(where: { $0.acr == acr }) else { return nil }
        self = level
    }

    /// Whether `lhs` is a lower level than `rhs`.
    public static func < (lhs: LevelOfAssurance, rhs: LevelOfAssurance) -> Bool { lhs.rawValue < rhs.rawValue }
}
