public import CivitasCore
public import Foundation

/// One step in a power of attorney's history, as the append-only event table keeps it.
public struct PowerOfAttorneyEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// The principal (or the entity's representative) drafted the document.
        case drafted
        /// A valid qualified signature of the document was attached.
        case signed
        /// The attorney accepted.
        case accepted
        /// The principal withdrew the power.
        case revoked
        /// The attorney gave it up.
        case renounced
    }

    /// The event's number within its power, from 1.
    public let sequence: Int
    /// What happened.
    public let kind: Kind
    /// Who did it.
    public let actor: PersonalNumber
    /// When.
    public let at: Date
}
