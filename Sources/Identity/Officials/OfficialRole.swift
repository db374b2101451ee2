/// What an official may do in Civitas's own administration; an account holds any number of roles.
public enum OfficialRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// Registers, changes and disables relying parties, and rotates their secrets.
    case identityAdmin = "identity-admin"
    /// Looks people up by personal number at a public service hall and opens their accounts.
    case serviceHall = "service-hall"
}
