public import CivitasCore

/// A person as the population register holds them: identity, names in the scripts the state writes them in,
/// birth, citizenship, registered address and whether they are alive.
///
/// Civil acts (birth, marriage, name change, death) that change these records arrive with the Registries
/// block; until then an official's change is recorded directly and audited.
public struct Person: Sendable, Hashable {
    /// The personal number, validated by its check digit.
    public var personalNumber: PersonalNumber
    /// The name in Georgian script, with its Latin (and, for Korean residents, Hangul) forms.
    public var name: PersonName
    /// The date of birth.
    public var birthDate: CalendarDate
    /// The sex recorded in the register.
    public var sex: Sex
    /// The citizenship, an ISO 3166-1 alpha-3 code (`CVT` for the demo country).
    public var citizenship: String
    /// The registered address.
    public var address: RegisteredAddress
    /// Alive, or deceased on a date.
    public var status: LifeStatus

    /// Creates a record; ``PopulationRegister`` checks it before storing it.
    public init(
        personalNumber: PersonalNumber, name: PersonName, birthDate: CalendarDate, sex: Sex, citizenship: String,
        address: RegisteredAddress, status: LifeStatus = .alive
    ) {
        self.personalNumber = personalNumber
        self.name = name
        self.birthDate = birthDate
        self.sex = sex
        self.citizenship = citizenship
        self.address = address
        self.status = status
    }

    /// The sex recorded in the register.
    public enum Sex: String, Sendable, Hashable, CaseIterable, Codable {
        /// Female.
        case female
        /// Male.
        case male
    }

    /// Whether the person is alive.
    public enum LifeStatus: Sendable, Hashable {
        /// Alive.
        case alive
        /// Deceased on the date.
        case deceased(on: CalendarDate)
    }

    /// The person's age in whole years on `date`.
    public func age(on date: CalendarDate) -> Int { birthDate.age(on: date) }
}

/// A person's name in the register's scripts.
public struct PersonName: Sendable, Hashable {
    /// Given name in Georgian script.
    public var given: String
    /// Family name in Georgian script.
    public var family: String
    /// Given name in Latin script, as printed in identity documents.
    public var givenLatin: String
    /// Family name in Latin script.
    public var familyLatin: String
    /// The full name in Hangul, family name first (김민준), for Korean residents.
    public var hangul: String?

    /// Creates a name.
    public init(given: String, family: String, givenLatin: String, familyLatin: String, hangul: String? = nil) {
        self.given = given
        self.family = family
        self.givenLatin = givenLatin
        self.familyLatin = familyLatin
        self.hangul = hangul
    }
}

/// A registered address in the country.
public struct RegisteredAddress: Sendable, Hashable {
    /// City or town.
    public var city: String
    /// District within the city.
    public var district: String
    /// Street, avenue or square, as written in Georgian.
    public var street: String
    /// House number, possibly with a letter.
    public var houseNumber: String
    /// Flat number; `nil` for a house.
    public var flat: Int?
    /// The four-digit postcode.
    public var postcode: String

    /// Creates an address.
    public init(city: String, district: String, street: String, houseNumber: String, flat: Int?, postcode: String) {
        self.city = city
        self.district = district
        self.street = street
        self.houseNumber = houseNumber
        self.flat = flat
        self.postcode = postcode
    }
}
