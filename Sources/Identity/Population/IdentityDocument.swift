public import CivitasCore

/// An identity document the state issued to a person: an ID card, a residence permit or a passport.
public struct IdentityDocument: Sendable, Hashable {
    /// The kind of document.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// The national ID card (which also carries the eID certificates).
        case idCard = "id-card"
        /// A foreign resident's residence permit card.
        case residencePermit = "residence-permit"
        /// A passport.
        case passport
    }

    /// The kind.
    public var kind: Kind
    /// The document number, upper-case letters and digits (`CV1234567`).
    public var number: String
    /// Whose it is.
    public var holder: PersonalNumber
    /// First day of validity.
    public var issuedOn: CalendarDate
    /// Last day of validity.
    public var expiresOn: CalendarDate
    /// Whether the document was declared lost, stolen or replaced before it expired.
    public var invalidated: Bool

    /// Creates a document record.
    public init(
        kind: Kind, number: String, holder: PersonalNumber, issuedOn: CalendarDate, expiresOn: CalendarDate,
        invalidated: Bool = false
    ) {
        self.kind = kind
        self.number = number
        self.holder = holder
        self.issuedOn = issuedOn
        self.expiresOn = expiresOn
        self.invalidated = invalidated
    }

    /// Whether the document can be relied on, on `date`.
    public func isValid(on date: CalendarDate) -> Bool {
        !invalidated && issuedOn.daysSince1970 <= date.daysSince1970 && date.daysSince1970 <= expiresOn.daysSince1970
    }

    /// Whether `number` is a well-formed document number: 6 to 12 upper-case Latin letters and digits.
    public static func isWellFormed(number: String) -> Bool {
        (6...12).contains(number.utf8.count)
            && number.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }
    }
}
