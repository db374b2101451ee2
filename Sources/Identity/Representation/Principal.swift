public import CivitasCore

/// On whose behalf someone acts: a person, or a legal entity.
///
/// Its text form, `person:<personal number>` or `organisation:<registry code>`, is what the audit log's
/// `onBehalfOf` and data subjects carry, so one string names a principal everywhere.
public enum Principal: Sendable, Hashable, CustomStringConvertible {
    /// A natural person.
    case person(PersonalNumber)
    /// A legal entity.
    case organisation(RegistryCode)

    /// Parses the text form.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord`.
    public init(_ text: String) throws(IdentityError) {
        if text.hasPrefix("person:") {
            do {
                self = .person(try PersonalNumber(String(text.dropFirst(7))))
            } catch {
                throw IdentityError(.invalidRecord, "the principal's personal number is not valid")
            }
        } else if text.hasPrefix("organisation:") {
            self = .organisation(try RegistryCode(String(text.dropFirst(13))))
        } else {
            throw IdentityError(.invalidRecord, "a principal is person:<personal number> or organisation:<code>")
        }
    }

    /// `person` or `organisation`.
    public var kind: String {
        switch self {
        case .person: "person"
        case .organisation: "organisation"
        }
    }

    /// The personal number or registry code.
    public var identifier: String {
        switch self {
        case .person(let number): number.rawValue
        case .organisation(let code): code.rawValue
        }
    }

    /// `kind:identifier`.
    public var description: String { "\(kind):\(identifier)" }
}
