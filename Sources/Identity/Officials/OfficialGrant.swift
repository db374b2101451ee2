public import CivitasCore
public import Foundation

/// One role held by one person: a line of `civitas identity official list`.
public struct OfficialGrant: Sendable, Hashable {
    /// Who holds it.
    public let personalNumber: PersonalNumber
    /// The role.
    public let role: OfficialRole
    /// Since when.
    public let grantedAt: Date
    /// The audit actor id of whoever granted it.
    public let grantedBy: String
}
