public import CivitasCore

/// A made-up resident of the demo country, as the population register would hold them.
///
/// Persons come from ``PopulationGenerator``; none of them is a real person, although their names are real
/// Georgian (or Korean) names and their streets are named as real streets are.
public struct SyntheticPerson: Sendable, Hashable {
    /// The person's personal number, unique within the population it was generated in.
    public let personalNumber: PersonalNumber

    /// The given name in Georgian script, as the register writes it. For foreign residents this is the
    /// Georgian-script rendering of their name that a registry clerk would write.
    public let givenName: String

    /// The family name in Georgian script. Georgian family names have one form for women and men alike.
    public let familyName: String

    /// The given name in Latin script, as printed in identity documents: for Georgian names the
    /// ``GeorgianTransliteration/Style/document`` romanisation, for Korean names the Revised Romanization.
    public let givenNameLatin: String

    /// The family name in Latin script, as printed in identity documents.
    public let familyNameLatin: String

    /// For Korean residents, the full name in Hangul, family name first and without a space (김민준);
    /// `nil` for everyone else.
    public let hangulName: String?

    /// The date of birth; never after the generator's reference date.
    public let birthDate: CalendarDate

    /// The sex recorded in the register.
    public let sex: Sex

    /// The citizenship as an ISO 3166-1 alpha-3 code: `CVT` for the demo country, Civitas (a code that
    /// ISO leaves unassigned), or `KOR` for the Korean residents.
    public let citizenship: String

    /// The registered address.
    public let address: PostalAddress
}

extension SyntheticPerson {
    /// The ISO 3166-1 alpha-3 code used for the fictional demo country, Civitas.
    public static let demoCountryCode = "CVT"

    /// The sex recorded in the population register.
    public enum Sex: String, Sendable, Hashable, CaseIterable, Codable {
        /// Female.
        case female
        /// Male.
        case male
    }

    /// A registered address in the demo country.
    ///
    /// City, district and street are in Georgian script; ``GeorgianTransliteration/latin(_:style:)`` gives
    /// their Latin forms (ლომისკარი → Lomiskari, რუსთაველის გამზირი → Rustavelis Gamziri).
    public struct PostalAddress: Sendable, Hashable {
        /// The city or town.
        public let city: String

        /// The district (უბანი) within the city.
        public let district: String

        /// The street, avenue or square, with its kind as Georgian writes it after the name
        /// (ქუჩა street, გამზირი avenue, მოედანი square).
        public let street: String

        /// The house number, possibly with a letter (`12`, `7ა`).
        public let houseNumber: String

        /// The flat number in a block of flats; `nil` for a house.
        public let flat: Int?

        /// The four-digit postcode.
        public let postcode: String
    }
}
