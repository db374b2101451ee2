public import CivitasCore

/// A person entitled by the registry to represent a legal entity: a director, a board member, a partner.
public struct Representative: Sendable, Hashable {
    /// Whether the person may act alone or only together with the other joint representatives.
    public enum Right: String, Sendable, Hashable, CaseIterable, Codable {
        /// Acts alone.
        case sole
        /// Acts only together with the other joint representatives.
        case joint
    }

    /// The entity.
    public var entity: RegistryCode
    /// The person.
    public var personalNumber: PersonalNumber
    /// The role, as the registry names it (`director`, `board-member`, `partner`, …).
    public var role: String
    /// Sole or joint right of representation.
    public var right: Right
    /// The first day of the right.
    public var from: CalendarDate
    /// The last day of the right, when it is limited or ended.
    public var until: CalendarDate?

    /// Creates a record.
    public init(
        entity: RegistryCode, personalNumber: PersonalNumber, role: String, right: Right, from: CalendarDate,
        until: CalendarDate? = nil
    ) {
        self.entity = entity
        self.personalNumber = personalNumber
        self.role = role
        self.right = right
        self.from = from
        self.until = until
    }

    /// Whether the right holds on `day`.
    public func holds(on day: CalendarDate) -> Bool {
        from <= day && (until.map { day <= $0 } ?? true)
    }
}
