public import CivitasCore

/// What is known about the person choosing a password, so that ``PasswordPolicy`` can refuse the obvious guesses
/// about them.
public struct PasswordContext: Sendable, Hashable {
    /// The account's username, if it has one.
    public var username: String?
    /// The person's personal number.
    public var personalNumber: PersonalNumber?
    /// The person's names: each given and family name in every script the register writes them in. The policy
    /// compares each name, and each two of them written together in either order.
    public var names: [String]

    /// Creates a context.
    public init(username: String? = nil, personalNumber: PersonalNumber? = nil, names: [String] = []) {
        self.username = username
        self.personalNumber = personalNumber
        self.names = names
    }

    /// The context of a registered person: their personal number and their Georgian, Latin and Hangul names.
    public init(username: String? = nil, person: Person) {
        let name = person.name
        self.init(
            username: username, personalNumber: person.personalNumber,
            names: [name.given, name.family, name.givenLatin, name.familyLatin] + (name.hangul.map { [$0] } ?? []))
    }

    /// An empty context, for a password checked before the person is known.
    public static let none = PasswordContext()
}
