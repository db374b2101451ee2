extension CRLReason {
    /// The reasons a certificate's status can be changed to (removeFromCRL belongs to delta CRLs only).
    public static let revocationReasons: [CRLReason] = allCases.filter { $0 != .removeFromCRL }

    /// The name used in the CLI, the API and the audit log: the ASN.1 identifier (`keyCompromise`, …).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "keyCompromise"
        case .caCompromise: "cACompromise"
        case .affiliationChanged: "affiliationChanged"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessationOfOperation"
        case .certificateHold: "certificateHold"
        case .removeFromCRL: "removeFromCRL"
        case .privilegeWithdrawn: "privilegeWithdrawn"
        case .aaCompromise: "aACompromise"
        }
    }

    /// Parses a name as printed by ``name`` (case-insensitively), among ``revocationReasons``.
    public init?(name: String) {
        guard let match = Self.revocationReasons.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }
}
