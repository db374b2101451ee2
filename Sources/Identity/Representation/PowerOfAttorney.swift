public import CivitasCore
import Foundation
public import Trust

/// An electronic power of attorney: the signed document, its history, and what follows from them.
public struct PowerOfAttorney: Sendable {
    /// The power's public identifier (random; its verification address is `/powers-of-attorney/<id>`).
    public let id: String
    /// The document as drafted: the exact bytes the principal signs (see ``PowerOfAttorneyDocument``).
    public let document: PowerOfAttorneyDocument
    /// The detached CAdES signature of ``document``, once one was accepted.
    public let signature: [UInt8]?
    /// The validation report of the signature when it was attached.
    public let validation: SignatureValidationReport?
    /// The history, oldest first.
    public let events: [PowerOfAttorneyEvent]

    /// The principal.
    public var principal: Principal { document.principal }
    /// The attorney.
    public var attorney: PersonalNumber { document.attorney }
    /// Who drafted it and must sign it: the principal person, or the entity's representative.
    public var signatory: PersonalNumber { document.signatory }

    /// The state the events reach, with the calendar's say: a power whose last day is before `today` and that was
    /// not withdrawn or given up is expired.
    public func state(on today: CalendarDate) -> PowerOfAttorneyState {
        let last = events.last?.kind ?? .drafted
        switch last {
        case .revoked: return .revoked
        case .renounced: return .renounced
        default: break
        }
        if document.validUntil < today { return .expired }
        switch last {
        case .drafted: return .drafted
        case .signed: return .signed
        default: return .accepted
        }
    }

    /// Whether the attorney may act for the principal on `today` (accepted and between its dates).
    public func isInForce(on today: CalendarDate) -> Bool {
        state(on: today) == .accepted && document.validFrom <= today && today <= document.validUntil
    }
}
