public import Audit
public import CivitasCore

/// A person acting as an official: signed in strongly enough, holding the roles they act in.
public struct Official: Sendable, Hashable {
    /// The official's personal number (officials are people with accounts like everyone else).
    public let personalNumber: PersonalNumber
    /// Every role they hold.
    public let roles: Set<OfficialRole>
    /// How strongly they are signed in.
    public let level: LevelOfAssurance

    /// Creates an official.
    public init(personalNumber: PersonalNumber, roles: Set<OfficialRole>, level: LevelOfAssurance) {
        self.personalNumber = personalNumber
        self.roles = roles
        self.level = level
    }

    /// The audit actor of what they do in their role: kind `official`, their personal number.
    public var actor: AuditActor { AuditActor(kind: .official, id: personalNumber.rawValue) }
}
